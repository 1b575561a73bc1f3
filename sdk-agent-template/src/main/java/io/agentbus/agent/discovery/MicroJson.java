package io.agentbus.agent.discovery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The little JSON the micro service protocol needs, without a JSON library (the template depends
 * on {@code sdk-core} alone): writes maps, lists, strings, numbers, booleans and null; reads the
 * same back (numbers as {@code Long} or {@code Double}). Malformed input throws {@link
 * IllegalArgumentException} naming the offset.
 */
final class MicroJson {
  private MicroJson() {}

  static byte[] write(Map<String, ? extends @Nullable Object> value) {
    StringBuilder sb = new StringBuilder(256);
    writeValue(sb, value);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void writeValue(StringBuilder sb, @Nullable Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      writeString(sb, s);
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        writeString(sb, String.valueOf(e.getKey()));
        sb.append(':');
        writeValue(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof Iterable<?> it) {
      sb.append('[');
      boolean first = true;
      for (Object o : it) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        writeValue(sb, o);
      }
      sb.append(']');
    } else {
      writeString(sb, v.toString());
    }
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Reads one JSON object. */
  static Map<String, @Nullable Object> readObject(byte[] json) {
    Reader r = new Reader(new String(json, StandardCharsets.UTF_8));
    r.skipSpace();
    Object v = r.value(0);
    r.skipSpace();
    if (r.pos != r.s.length()) {
      throw r.fail("trailing characters");
    }
    if (!(v instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("expected a JSON object, got " + v);
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> map = (Map<String, @Nullable Object>) v;
    return map;
  }

  private static final class Reader {
    private static final int MAX_DEPTH = 32;
    final String s;
    int pos;

    Reader(String s) {
      this.s = s;
    }

    IllegalArgumentException fail(String what) {
      return new IllegalArgumentException("Malformed JSON at offset " + pos + ": " + what);
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    char peek() {
      if (pos >= s.length()) {
        throw fail("unexpected end");
      }
      return s.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) {
        throw fail("expected '" + c + "'");
      }
      pos++;
    }

    @Nullable Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw fail("nested deeper than " + MAX_DEPTH);
      }
      char c = peek();
      switch (c) {
        case '{': {
          pos++;
          Map<String, @Nullable Object> m = new LinkedHashMap<>();
          skipSpace();
          if (peek() == '}') {
            pos++;
            return m;
          }
          while (true) {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            m.put(key, value(depth + 1));
            skipSpace();
            if (peek() == ',') {
              pos++;
              continue;
            }
            expect('}');
            return m;
          }
        }
        case '[': {
          pos++;
          List<@Nullable Object> l = new ArrayList<>();
          skipSpace();
          if (peek() == ']') {
            pos++;
            return l;
          }
          while (true) {
            skipSpace();
            l.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
              pos++;
              continue;
            }
            expect(']');
            return l;
          }
        }
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    @Nullable Object literal(String word, @Nullable Object v) {
      if (!s.startsWith(word, pos)) {
        throw fail("expected " + word);
      }
      pos += word.length();
      return v;
    }

    Object number() {
      int start = pos;
      while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
      String n = s.substring(start, pos);
      if (n.isEmpty()) {
        throw fail("unexpected character '" + s.charAt(start) + "'");
      }
      try {
        if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
          return Long.parseLong(n);
        }
        return Double.parseDouble(n);
      } catch (NumberFormatException e) {
        pos = start;
        throw fail("bad number '" + n + "'");
      }
    }

    String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = peek();
        pos++;
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw fail("short \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw fail("bad \\u escape");
            }
            pos += 4;
          }
          default -> throw fail("bad escape '\\" + e + "'");
        }
      }
    }
  }
}
