package io.agentbus.codec.json;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.spi.codec.Content;
import io.agentbus.spi.codec.RecentStrings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The fast path of {@link JsonCodec#decode}: a parser for the one document shape the codec reads
 * (an AgentMessage object), straight from the bytes, with no parser object, buffers or symbol
 * table per message.
 *
 * <p>It only ever answers for input it is sure about. On anything else (malformed or truncated
 * JSON, a field of the wrong type, a missing required field, a number it would have to round
 * differently from Jackson, a timestamp that does not parse, content nested too deep, a byte
 * order mark) {@link #read} returns null, and the codec reads the input again with Jackson, which
 * decides and words the error. So every error message comes from one place, and the two paths
 * cannot disagree on valid input: {@code FastJsonReaderTest} checks that on generated and mutated
 * messages.
 *
 * <p>Maps and lists are sealed ({@link Content.MapBuilder}, {@link Content#sealList}) as they are
 * finished, so the message takes the tree without walking it again. Short ASCII strings come from
 * {@link RecentStrings} when this thread read them lately. The input must have passed {@link
 * Utf8#validate} (strict UTF-8, no NUL byte).
 */
final class FastJsonReader {
  /** Longest number the fast path reads; Jackson limits numbers to 1,000 characters. */
  private static final int MAX_NUMBER_LENGTH = 64;
  /** Longest integer, in digits, that accumulates in a long without overflow. */
  private static final int MAX_EXACT_DIGITS = 18;

  private static final byte[] FROM_AGENT = ascii("from_agent");
  private static final byte[] TO_AGENT = ascii("to_agent");
  private static final byte[] MESSAGE_TYPE = ascii("message_type");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] TIMESTAMP = ascii("timestamp");
  private static final byte[] CORRELATION_ID = ascii("correlation_id");

  /** Thrown to leave the fast path; carries no stack trace, and is never seen outside. */
  private static final class Bail extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Bail INSTANCE = new Bail();

    private Bail() {
      super("not on the fast path", null, false, false);
    }
  }

  /** What each byte is inside a string: one table lookup per byte on the common path. */
  private static final byte PLAIN = 0;
  private static final byte QUOTE = 1;
  private static final byte BACKSLASH = 2;
  private static final byte CONTROL = 3;
  private static final byte NON_ASCII = 4;
  private static final byte[] IN_STRING = new byte[256];

  static {
    for (int c = 0; c < 0x20; c++) {
      IN_STRING[c] = CONTROL;
    }
    for (int c = 0x80; c < 0x100; c++) {
      IN_STRING[c] = NON_ASCII;
    }
    IN_STRING['"'] = QUOTE;
    IN_STRING['\\'] = BACKSLASH;
  }

  private final byte[] b;
  private final int n;
  private int pos;
  /** This thread's {@link RecentStrings}: most strings of a message were in the last one too. */
  private final RecentStrings.Table recentStrings = RecentStrings.table();
  // the envelope's fields as read; a key given twice keeps its last value, as in Python
  private @Nullable String from;
  private @Nullable String to;
  private @Nullable String type;
  private @Nullable Map<String, @Nullable Object> content;
  private @Nullable Instant timestamp;
  private @Nullable String correlationId;
  private @Nullable StringBuilder scratch;

  private FastJsonReader(byte[] b) {
    this.b = b;
    this.n = b.length;
  }

  /**
   * The message, or null when the input needs the full parser to decide.
   *
   * @throws CodecException if the fields read are not a valid AgentMessage (an invalid agent id,
   *     say), as {@link JsonCodec#build} words it for either path
   */
  static @Nullable AgentMessage read(byte[] utf8) {
    FastJsonReader reader = new FastJsonReader(utf8);
    try {
      reader.message();
    } catch (Bail | IllegalArgumentException e) { // the latter: sealing refused, Jackson decides
      return null;
    }
    // message() returned, so from, type and timestamp are set
    return JsonCodec.build(reader.from, reader.to, reader.type, reader.content,
        reader.timestamp, reader.correlationId);
  }

  private void message() {
    skipWhitespace();
    expect('{');
    skipWhitespace();
    if (peek() != '}') {
      while (true) {
        expect('"');
        int keyStart = pos;
        int keyEnd = endOfPlainString();
        skipWhitespace();
        expect(':');
        skipWhitespace();
        if (is(keyStart, keyEnd, FROM_AGENT)) {
          from = stringOrNull();
        } else if (is(keyStart, keyEnd, TO_AGENT)) {
          to = stringOrNull();
        } else if (is(keyStart, keyEnd, MESSAGE_TYPE)) {
          type = stringOrNull();
        } else if (is(keyStart, keyEnd, CONTENT)) {
          content = contentOrNull();
        } else if (is(keyStart, keyEnd, TIMESTAMP)) {
          timestamp = timestamp();
        } else if (is(keyStart, keyEnd, CORRELATION_ID)) {
          correlationId = stringOrNull();
        } else {
          value(0); // a field from a newer peer: read to check it, and drop it
        }
        skipWhitespace();
        if (peek() == ',') {
          pos++;
          skipWhitespace();
        } else {
          break;
        }
      }
    }
    expect('}');
    skipWhitespace();
    if (pos != n || from == null || type == null || timestamp == null) {
      throw Bail.INSTANCE; // trailing data, or a required field missing: the full parser says so
    }
  }

  private @Nullable String stringOrNull() {
    byte c = peek();
    if (c == '"') {
      pos++;
      return string();
    }
    literal("null");
    return null;
  }

  private @Nullable Map<String, @Nullable Object> contentOrNull() {
    byte c = peek();
    if (c == '{') {
      pos++;
      return object(1);
    }
    literal("null");
    return null;
  }

  private Instant timestamp() {
    expect('"');
    int start = pos;
    int end = endOfPlainString();
    int len = end - start;
    if (len <= IsoTimestamps.MAX_LENGTH) {
      Instant canonical = IsoTimestamps.parseCanonical(b, start, len);
      if (canonical != null) {
        return canonical;
      }
    }
    if (len > 64) {
      throw Bail.INSTANCE;
    }
    char[] chars = new char[len];
    for (int i = 0; i < len; i++) {
      byte c = b[start + i];
      if (c < 0) {
        throw Bail.INSTANCE;
      }
      chars[i] = (char) c;
    }
    try {
      return IsoTimestamps.parse(chars, 0, len);
    } catch (CodecException e) {
      throw Bail.INSTANCE;
    }
  }

  // ------------------------------------------------------------------ values

  /** A value in a container at {@code depth} (0 outside the content). */
  private @Nullable Object value(int depth) {
    byte c = peek();
    switch (c) {
      case '"':
        pos++;
        return string();
      case '{':
        pos++;
        return object(nested(depth));
      case '[':
        pos++;
        return array(nested(depth));
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        return number();
    }
  }

  private static int nested(int depth) {
    if (depth + 1 > Content.MAX_DEPTH) {
      throw Bail.INSTANCE;
    }
    return depth + 1;
  }

  /** The object whose '{' was just read. */
  private Map<String, @Nullable Object> object(int depth) {
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Map.of();
    }
    Content.MapBuilder map = new Content.MapBuilder();
    while (true) {
      expect('"');
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (!map.put(key, value(depth))) {
        throw Bail.INSTANCE; // a repeated key: Jackson's reading keeps the last value
      }
      skipWhitespace();
      byte c = next();
      if (c == '}') {
        return map.seal();
      }
      if (c != ',') {
        throw Bail.INSTANCE;
      }
      skipWhitespace();
    }
  }

  /** The array whose '[' was just read. */
  private List<@Nullable Object> array(int depth) {
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return List.of();
    }
    List<@Nullable Object> list = new ArrayList<>();
    while (true) {
      list.add(value(depth));
      skipWhitespace();
      byte c = next();
      if (c == ']') {
        return Content.sealList(list);
      }
      if (c != ',') {
        throw Bail.INSTANCE;
      }
      skipWhitespace();
    }
  }

  /** An integer as a Long, a number with a fraction or exponent as a Double. */
  private Object number() {
    int start = pos;
    boolean negative = false;
    if (peek() == '-') {
      negative = true;
      pos++;
    }
    int digitsStart = pos;
    byte first = next();
    if (first == '0') {
      // a leading zero stands alone
    } else if (first >= '1' && first <= '9') {
      while (pos < n && isDigit(b[pos])) {
        pos++;
      }
    } else {
      throw Bail.INSTANCE;
    }
    int digits = pos - digitsStart;
    boolean integral = true;
    if (pos < n && b[pos] == '.') {
      integral = false;
      pos++;
      requireDigits();
    }
    if (pos < n && (b[pos] == 'e' || b[pos] == 'E')) {
      integral = false;
      pos++;
      if (pos < n && (b[pos] == '+' || b[pos] == '-')) {
        pos++;
      }
      requireDigits();
    }
    if (pos - start > MAX_NUMBER_LENGTH) {
      throw Bail.INSTANCE;
    }
    if (integral) {
      if (digits > MAX_EXACT_DIGITS) {
        throw Bail.INSTANCE; // may not fit a long: the full parser decides
      }
      long v = 0;
      for (int i = digitsStart; i < pos; i++) {
        v = v * 10 + (b[i] - '0');
      }
      return negative ? -v : v;
    }
    double d = Double.parseDouble(new String(b, start, pos - start, StandardCharsets.ISO_8859_1));
    if (Double.isInfinite(d)) {
      throw Bail.INSTANCE;
    }
    return d;
  }

  private void requireDigits() {
    int start = pos;
    while (pos < n && isDigit(b[pos])) {
      pos++;
    }
    if (pos == start) {
      throw Bail.INSTANCE;
    }
  }

  // ------------------------------------------------------------------ strings

  /**
   * The end of a string without escapes whose opening quote was just read, leaving {@link #pos}
   * after its closing quote; bails on an escape or a control character.
   */
  private int endOfPlainString() {
    for (int i = skipPlainWords(pos); i < n; i++) {
      byte kind = IN_STRING[b[i] & 0xff];
      if (kind == PLAIN || kind == NON_ASCII) {
        continue;
      }
      if (kind == QUOTE) {
        pos = i + 1;
        return i;
      }
      throw Bail.INSTANCE; // an escape or a control character
    }
    throw Bail.INSTANCE;
  }

  /**
   * The first index from {@code i} whose 8-byte word holds a byte that is not plain ASCII text
   * ({@code '"'}, {@code '\\'}, a control character or a byte of a multi-byte sequence), or where
   * fewer than 8 bytes remain: eight bytes at a time, by the usual bit tricks.
   */
  private int skipPlainWords(int i) {
    while (i + 8 <= n) {
      long w = (long) Utf8.LONGS.get(b, i);
      long quote = w ^ 0x2222222222222222L;
      long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
      long special = ((quote - Utf8.ONES) & ~quote) | ((backslash - Utf8.ONES) & ~backslash)
          | ((w - 0x2020202020202020L) & ~w) | w;
      if ((special & Utf8.HIGH_BITS) != 0) {
        return i;
      }
      i += 8;
    }
    return i;
  }

  /** The string whose opening quote was just read. */
  private String string() {
    int start = pos;
    boolean ascii = true;
    for (int i = skipPlainWords(start); i < n; i++) {
      byte kind = IN_STRING[b[i] & 0xff];
      if (kind == PLAIN) {
        continue;
      }
      if (kind == QUOTE) {
        pos = i + 1;
        return ascii ? RecentStrings.ascii(recentStrings, b, start, i - start)
            : new String(b, start, i - start, StandardCharsets.UTF_8);
      }
      if (kind == NON_ASCII) {
        ascii = false;
      } else if (kind == BACKSLASH) {
        return escapedString(start, i);
      } else {
        throw Bail.INSTANCE; // JSON has no raw control characters in strings
      }
    }
    throw Bail.INSTANCE;
  }

  /** The rest of a string that has an escape at {@code escape}; it started at {@code start}. */
  private String escapedString(int start, int escape) {
    StringBuilder sb = scratch;
    if (sb == null) {
      sb = new StringBuilder(Math.max(16, 2 * (escape - start)));
      scratch = sb;
    } else {
      sb.setLength(0);
    }
    int segment = start;
    int i = escape;
    while (i < n) {
      byte c = b[i];
      if (c == '"') {
        appendUtf8(sb, segment, i);
        pos = i + 1;
        return sb.toString();
      }
      if (c == '\\') {
        appendUtf8(sb, segment, i);
        if (i + 1 >= n) {
          throw Bail.INSTANCE;
        }
        byte e = b[i + 1];
        i += 2;
        switch (e) {
          case '"':
            sb.append('"');
            break;
          case '\\':
            sb.append('\\');
            break;
          case '/':
            sb.append('/');
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'n':
            sb.append('\n');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'u':
            if (i + 4 > n) {
              throw Bail.INSTANCE;
            }
            char u = escapedChar(i);
            i += 4;
            if (Character.isHighSurrogate(u)) {
              // a surrogate must come paired, high then low, as two escapes; anything else is
              // not Unicode, and the full parser refuses it with the error
              if (i + 6 > n || b[i] != '\\' || b[i + 1] != 'u'
                  || !Character.isLowSurrogate(escapedChar(i + 2))) {
                throw Bail.INSTANCE;
              }
              sb.append(u).append(escapedChar(i + 2));
              i += 6;
            } else if (Character.isLowSurrogate(u)) {
              throw Bail.INSTANCE;
            } else {
              sb.append(u);
            }
            break;
          default:
            throw Bail.INSTANCE;
        }
        segment = i;
      } else if (c >= 0 && c < 0x20) {
        throw Bail.INSTANCE;
      } else {
        i++;
      }
    }
    throw Bail.INSTANCE;
  }

  /** The char of the four hex digits at {@code i}. */
  private char escapedChar(int i) {
    return (char) ((hex(b[i]) << 12) | (hex(b[i + 1]) << 8) | (hex(b[i + 2]) << 4)
        | hex(b[i + 3]));
  }

  private void appendUtf8(StringBuilder sb, int from, int to) {
    if (to > from) {
      sb.append(new String(b, from, to - from, StandardCharsets.UTF_8));
    }
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    throw Bail.INSTANCE;
  }

  // ------------------------------------------------------------------ tokens

  private void skipWhitespace() {
    while (pos < n) {
      byte c = b[pos];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        pos++;
      } else {
        return;
      }
    }
  }

  private byte peek() {
    if (pos >= n) {
      throw Bail.INSTANCE;
    }
    return b[pos];
  }

  private byte next() {
    if (pos >= n) {
      throw Bail.INSTANCE;
    }
    return b[pos++];
  }

  private void expect(char c) {
    if (next() != c) {
      throw Bail.INSTANCE;
    }
  }

  private void literal(String word) {
    int len = word.length();
    if (pos + len > n) {
      throw Bail.INSTANCE;
    }
    for (int i = 0; i < len; i++) {
      if (b[pos + i] != word.charAt(i)) {
        throw Bail.INSTANCE;
      }
    }
    pos += len;
    // "nullx", "true1": the next byte must end the token; the caller's next expect() sees to
    // that, since no JSON token may follow a literal without a separator
  }

  private boolean is(int start, int end, byte[] name) {
    int len = end - start;
    if (len != name.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (b[start + i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
