package io.agentbus.codec.json;

import com.fasterxml.jackson.core.io.NumberOutput;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.spi.codec.ScratchBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes an {@link AgentMessage} as the seed's JSON, straight into a byte array: the layout
 * {@link JsonCodec} documents, byte for byte what Jackson's generator wrote for it before (tests
 * compare the two), with one correction: a string holding an unpaired UTF-16 surrogate is refused
 * with a {@link CodecException} (Jackson's generator paired it with whatever char came next; the
 * decoders of both paths refuse it, as text that peers would read differently).
 *
 * <p>Strings are escaped as Jackson escapes them: {@code \"}, {@code \\}, {@code \b \t \n \f \r},
 * other control characters as {@code \}{@code u00XX} (upper-case hex); everything else, non-ASCII
 * included, is written as UTF-8. Doubles use Jackson's shortest round-trip form.
 */
final class JsonWriter {
  private static final byte[] HEX = ascii("0123456789ABCDEF");
  /** Per ASCII char: 0 to copy it, the letter of its escape, or 'u' for a {@code \}{@code u00XX}. */
  private static final byte[] ESCAPES = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = 'u';
    }
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
  }

  private static final byte[] FROM_AGENT = ascii("{\"from_agent\":");
  private static final byte[] TO_AGENT = ascii(",\"to_agent\":");
  private static final byte[] MESSAGE_TYPE = ascii(",\"message_type\":");
  private static final byte[] CONTENT = ascii(",\"content\":");
  private static final byte[] TIMESTAMP = ascii(",\"timestamp\":\"");
  private static final byte[] CORRELATION_ID = ascii("\",\"correlation_id\":");
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");

  private byte[] buf;
  private int len;

  private JsonWriter(byte[] buf) {
    this.buf = buf;
  }

  /**
   * @throws CodecException if the timestamp is outside years 0000 to 9999
   */
  static byte[] write(AgentMessage m) {
    JsonWriter w = new JsonWriter(ScratchBuffer.take());
    try {
      w.message(m);
      return Arrays.copyOf(w.buf, w.len);
    } finally {
      ScratchBuffer.giveBack(w.buf);
    }
  }

  private void message(AgentMessage m) {
    raw(FROM_AGENT);
    string(m.fromAgent());
    raw(TO_AGENT);
    nullableString(m.toAgent());
    raw(MESSAGE_TYPE);
    string(m.messageType().wireName());
    raw(CONTENT);
    map(m.content());
    raw(TIMESTAMP);
    ensure(IsoTimestamps.MAX_LENGTH);
    len += IsoTimestamps.format(m.timestamp(), buf, len);
    raw(CORRELATION_ID);
    nullableString(m.correlationId());
    ensure(1);
    buf[len++] = '}';
  }

  private void nullableString(@Nullable String s) {
    if (s == null) {
      raw(NULL);
    } else {
      string(s);
    }
  }

  private void map(Map<String, @Nullable Object> map) {
    ensure(2);
    buf[len++] = '{';
    boolean first = true;
    for (Map.Entry<String, @Nullable Object> e : map.entrySet()) {
      if (!first) {
        ensure(1);
        buf[len++] = ',';
      }
      first = false;
      string(e.getKey());
      ensure(1);
      buf[len++] = ':';
      value(e.getValue());
    }
    ensure(1);
    buf[len++] = '}';
  }

  @SuppressWarnings("unchecked")
  private void value(@Nullable Object v) {
    if (v == null) {
      raw(NULL);
    } else if (v instanceof String) {
      string((String) v);
    } else if (v instanceof Long) {
      longValue((Long) v);
    } else if (v instanceof Double) {
      double d = (Double) v;
      if (NumberOutput.notFinite(d)) {
        // content never holds these (JSON cannot); reaching this is a bug in the content model
        throw new CodecException("Cannot encode content value " + d + ": JSON has no NaN or"
            + " Infinity");
      }
      asciiText(NumberOutput.toString(d, true));
    } else if (v instanceof Boolean) {
      raw((Boolean) v ? TRUE : FALSE);
    } else if (v instanceof Map) {
      map((Map<String, @Nullable Object>) v);
    } else if (v instanceof List) {
      ensure(1);
      buf[len++] = '[';
      boolean first = true;
      for (Object item : (List<?>) v) {
        if (!first) {
          ensure(1);
          buf[len++] = ',';
        }
        first = false;
        value(item);
      }
      ensure(1);
      buf[len++] = ']';
    } else {
      // AgentMessage admits nothing else; reaching this is a bug in the content model
      throw new CodecException("Cannot encode content value of type " + v.getClass().getName());
    }
  }

  private void longValue(long v) {
    if (v == Long.MIN_VALUE) {
      asciiText(Long.toString(v));
      return;
    }
    ensure(20);
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
  }

  private void string(String s) {
    int n = s.length();
    ensure(n + 2);
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    int i = 0;
    // the common case: ASCII that needs no escape, one byte per char
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || ESCAPES[c] != 0) {
        break;
      }
      b[at++] = (byte) c;
    }
    len = at;
    if (i < n) {
      rest(s, i);
    }
    ensure(1);
    buf[len++] = '"';
  }

  /** The rest of {@code s} from {@code i}, where a char needs an escape or more than one byte. */
  private void rest(String s, int i) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i++);
      ensure(6 + (n - i));
      if (c < 0x80) {
        byte e = ESCAPES[c];
        if (e == 0) {
          buf[len++] = (byte) c;
        } else if (e == 'u') {
          unicodeEscape(c);
        } else {
          buf[len++] = '\\';
          buf[len++] = e;
        }
      } else if (c < 0x800) {
        buf[len++] = (byte) (0xc0 | (c >> 6));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      } else if (!Character.isSurrogate(c)) {
        buf[len++] = (byte) (0xe0 | (c >> 12));
        buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) {
        int cp = Character.toCodePoint(c, s.charAt(i++));
        buf[len++] = (byte) (0xf0 | (cp >> 18));
        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (cp & 0x3f));
      } else {
        // unpaired: not Unicode text. JSON's escape could carry it, but readers disagree on what
        // it means (U+FFFD, an error, the raw char), and this codec's own decoder refuses it
        throw new CodecException("Cannot encode a string holding an unpaired UTF-16 surrogate, "
            + "\\u" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at character "
            + (i - 1) + ": it is not Unicode text, and receivers refuse it; pair it or remove it");
      }
    }
  }

  private void unicodeEscape(char c) {
    buf[len++] = '\\';
    buf[len++] = 'u';
    buf[len++] = HEX[c >> 12];
    buf[len++] = HEX[(c >> 8) & 0xf];
    buf[len++] = HEX[(c >> 4) & 0xf];
    buf[len++] = HEX[c & 0xf];
  }

  @SuppressWarnings("deprecation") // the byte-copying getBytes is exactly right for ASCII text
  private void asciiText(String s) {
    int n = s.length();
    ensure(n);
    s.getBytes(0, n, buf, len); // ASCII only: digits, sign, '.', 'E'
    len += n;
  }

  private void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
