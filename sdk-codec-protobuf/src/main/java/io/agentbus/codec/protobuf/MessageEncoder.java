package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.Wire.LEN;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.spi.codec.ScratchBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes one {@code agentbus.v1.AgentMessage} from the SDK's content tree, byte for byte as
 * protoc's generated code would given the same list forms (fields in number order, object members
 * in iteration order); {@code SchemaConformanceTest} checks that.
 *
 * <p>Protobuf prefixes every nested message and string with its length, which is known only once
 * it is written. The encoder writes front to back in one pass and leaves one byte for each length:
 * nearly every nested message and string of an AgentMessage is shorter than 128 bytes, whose length
 * takes exactly one byte. When one turns out longer, its bytes move up by the extra length bytes
 * before the length is written. An ASCII string's length is its char count; another string of 128
 * chars or more is measured first. One instance per call, writing into the thread's {@link
 * ScratchBuffer}.
 */
final class MessageEncoder {
  private byte[] buf;
  private int pos;

  private MessageEncoder(byte[] buf) {
    this.buf = buf;
  }

  static byte[] encode(AgentMessage message) {
    MessageEncoder encoder = new MessageEncoder(ScratchBuffer.take());
    try {
      encoder.write(message);
      return Arrays.copyOf(encoder.buf, encoder.pos);
    } catch (WireFailure f) {
      throw new CodecException("Cannot encode " + message.messageType() + " from "
          + message.fromAgent() + " as protobuf: " + f.describe());
    } finally {
      ScratchBuffer.giveBack(encoder.buf);
    }
  }

  private void write(AgentMessage m) {
    writeString(Wire.FROM_AGENT, m.fromAgent(), "from_agent");
    String to = m.toAgent();
    if (to != null) {
      writeString(Wire.TO_AGENT, to, "to_agent");
    }
    writeString(Wire.MESSAGE_TYPE, m.messageType().wireName(), "message_type");
    try {
      for (Map.Entry<String, @Nullable Object> e : m.content().entrySet()) {
        writeField(Wire.CONTENT, e.getKey(), e.getValue());
      }
    } catch (WireFailure f) {
      throw f.at("content");
    }
    long millis = m.timestamp().toEpochMilli();
    String timestampProblem = Wire.timestampProblem(millis);
    if (timestampProblem != null) {
      throw new WireFailure(timestampProblem);
    }
    // written even when 0, so that a reader can tell it from a missing timestamp
    ensure(11);
    tag(Wire.TIMESTAMP_MILLIS, Wire.VARINT);
    varint64(millis);
    String cid = m.correlationId();
    if (cid != null) {
      writeString(Wire.CORRELATION_ID, cid, "correlation_id");
    }
    // toEpochMilli rounds down, before 1970 too, so the rest is the nanos above that millisecond;
    // absent when 0, as proto3 leaves it, so whole-millisecond messages encode as before
    int nanosOfMilli = m.timestamp().getNano() % 1_000_000;
    if (nanosOfMilli != 0) {
      ensure(6);
      tag(Wire.TIMESTAMP_NANOS_OF_MILLI, Wire.VARINT);
      varint32(nanosOfMilli);
    }
  }

  /** Writes a {@code Field} (key and value) as field {@code field} of its parent. */
  private void writeField(int field, String key, @Nullable Object value) {
    ensure(1);
    tag(field, LEN);
    int at = beginLength();
    try {
      // proto3 does not write an empty string, and the codec writes what protoc's code writes
      if (!key.isEmpty()) {
        writeString(Wire.KEY, key);
      }
      writeKind(value);
    } catch (WireFailure f) {
      throw f.at(key);
    }
    endLength(at);
  }

  /** Writes {@code v} as a {@code Value} message in field {@code field}. */
  private void writeValue(int field, @Nullable Object v) {
    ensure(1);
    tag(field, LEN);
    int at = beginLength();
    writeKind(v);
    endLength(at);
  }

  /** Writes the one value field of a Field or Value. */
  private void writeKind(@Nullable Object v) {
    if (v instanceof String) {
      writeString(Wire.STRING_VALUE, (String) v);
    } else if (v instanceof Long) {
      ensure(11);
      tag(Wire.INT_VALUE, Wire.VARINT);
      varint64(zigzag((Long) v));
    } else if (v instanceof Double) {
      ensure(9);
      tag(Wire.DOUBLE_VALUE, Wire.I64);
      fixed64(Double.doubleToRawLongBits((Double) v));
    } else if (v instanceof Boolean) {
      ensure(2);
      tag(Wire.BOOL_VALUE, Wire.VARINT);
      buf[pos++] = (byte) ((Boolean) v ? 1 : 0);
    } else if (v == null) {
      ensure(2);
      tag(Wire.NULL_VALUE, Wire.VARINT);
      buf[pos++] = 0;
    } else if (v instanceof Map) {
      ensure(1);
      tag(Wire.STRUCT_VALUE, LEN);
      int at = beginLength();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        writeField(Wire.STRUCT_FIELDS, (String) e.getKey(), e.getValue());
      }
      endLength(at);
    } else if (v instanceof List) {
      writeList((List<?>) v);
    } else {
      // AgentMessage admits nothing else; this guards against a change there
      throw new WireFailure("unsupported content value type " + v.getClass().getName());
    }
  }

  /** Writes a {@code ListValue} in the form {@link #formOf} picks. */
  private void writeList(List<?> list) {
    ensure(1);
    tag(Wire.LIST_VALUE, LEN);
    int at = beginLength();
    switch (formOf(list)) {
      case Wire.LIST_STRINGS:
        for (int i = 0; i < list.size(); i++) {
          try {
            writeString(Wire.LIST_STRINGS, (String) list.get(i));
          } catch (WireFailure f) {
            throw f.at(i);
          }
        }
        break;
      case Wire.LIST_INTS: {
        ensure(1);
        tag(Wire.LIST_INTS, LEN);
        int ints = beginLength();
        for (Object element : list) {
          ensure(10);
          varint64(zigzag((Long) element));
        }
        endLength(ints);
        break;
      }
      case Wire.LIST_DOUBLES:
        ensure(6 + 8 * list.size());
        tag(Wire.LIST_DOUBLES, LEN);
        varint32(8 * list.size());
        for (Object element : list) {
          fixed64(Double.doubleToRawLongBits((Double) element));
        }
        break;
      case Wire.LIST_VALUES:
        for (int i = 0; i < list.size(); i++) {
          try {
            writeValue(Wire.LIST_VALUES, list.get(i));
          } catch (WireFailure f) {
            throw f.at(i);
          }
        }
        break;
      default: // empty
        break;
    }
    endLength(at);
  }

  /**
   * The ListValue form for {@code list}: strings, ints or doubles when every element is of that
   * kind (the compact forms), values otherwise, 0 when empty. The rule is part of the encoding:
   * protoc's code given the same choice writes the same bytes.
   */
  static int formOf(List<?> list) {
    if (list.isEmpty()) {
      return 0;
    }
    Object first = list.get(0);
    Class<?> kind = first instanceof String || first instanceof Long || first instanceof Double
        ? first.getClass() : null;
    if (kind == null) {
      return Wire.LIST_VALUES;
    }
    for (int i = 1; i < list.size(); i++) {
      Object element = list.get(i);
      if (element == null || element.getClass() != kind) {
        return Wire.LIST_VALUES;
      }
    }
    return kind == String.class ? Wire.LIST_STRINGS
        : kind == Long.class ? Wire.LIST_INTS : Wire.LIST_DOUBLES;
  }

  // ------------------------------------------------------------------ lengths

  /** Leaves one byte for the length of what follows; returns where. */
  private int beginLength() {
    ensure(1);
    return pos++;
  }

  /**
   * Writes the length of what was written since {@link #beginLength} returned {@code at}, moving it
   * up first if the length takes more than the one byte left for it.
   */
  private void endLength(int at) {
    int length = pos - at - 1;
    if (length < 0x80) {
      buf[at] = (byte) length;
      return;
    }
    int extra = varint32Size(length) - 1;
    ensure(extra);
    System.arraycopy(buf, at + 1, buf, at + 1 + extra, length);
    int end = pos + extra;
    pos = at;
    varint32(length);
    pos = end;
  }

  private static int varint32Size(int v) {
    if ((v & (~0 << 7)) == 0) {
      return 1;
    }
    if ((v & (~0 << 14)) == 0) {
      return 2;
    }
    if ((v & (~0 << 21)) == 0) {
      return 3;
    }
    return (v & (~0 << 28)) == 0 ? 4 : 5;
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  // ------------------------------------------------------------------ strings

  /** An envelope string: a failure names the field. */
  private void writeString(int field, String s, String name) {
    try {
      writeString(field, s);
    } catch (WireFailure f) {
      throw new WireFailure(name + ": " + f.getMessage());
    }
  }

  /**
   * A string field. Protobuf strings must be valid UTF-8, which a Java string with an unpaired
   * surrogate cannot become: that is an error here, not a silent '?'.
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII
  private void writeString(int field, String s) {
    int n = s.length();
    ensure(6 + 3 * n); // tag, up to five length bytes, at most three bytes per char
    tag(field, LEN);
    int ascii = 0;
    while (ascii < n && s.charAt(ascii) < 0x80) {
      ascii++;
    }
    if (ascii == n) {
      // nearly every string: its length is known, and the low byte of each char is its UTF-8, an
      // array copy for the JDK's compact Latin-1 strings
      varint32(n);
      s.getBytes(0, n, buf, pos);
      pos += n;
      return;
    }
    if (n < 0x80) {
      int at = pos++; // the UTF-8 length is n to 3n: one byte, or moved up by endLength
      writeUtf8(s, n);
      endLength(at);
    } else {
      varint32(utf8Length(s));
      writeUtf8(s, n);
    }
  }

  private void writeUtf8(String s, int n) {
    byte[] b = buf;
    int p = pos;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | (c >>> 6));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        b[p++] = (byte) (0xE0 | (c >>> 12));
        b[p++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[p++] = (byte) (0xF0 | (cp >>> 18));
        b[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
        b[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        throw unpaired(i);
      }
    }
    pos = p;
  }

  /** The UTF-8 length of {@code s}, for strings too long to write before measuring. */
  private static int utf8Length(String s) {
    int n = s.length();
    int length = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        length += 1;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          length += 2; // 2 chars, 4 bytes
          i++;
        } else {
          throw unpaired(i);
        }
      } else {
        length += 2;
      }
    }
    return length;
  }

  private static WireFailure unpaired(int index) {
    return new WireFailure("the string has an unpaired surrogate at index " + index
        + ", which UTF-8 (and so protobuf) cannot carry");
  }

  // ------------------------------------------------------------------ wire primitives

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  /** Every tag of the schema is below 128: one byte. The caller has ensured room. */
  private void tag(int field, int wireType) {
    buf[pos++] = (byte) ((field << 3) | wireType);
  }

  private void varint32(int v) {
    while ((v & ~0x7F) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void varint64(long v) {
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void fixed64(long v) {
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }
}
