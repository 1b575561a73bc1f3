package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.Wire.LEN;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes one {@code agentbus.v1.AgentMessage} from the SDK's content tree, byte for byte as
 * protoc's generated code would given the same list forms (fields in number order, object members
 * in iteration order); {@code SchemaConformanceTest} checks that.
 *
 * <p>Protobuf prefixes every nested message and string with its length, so the encoder makes two
 * passes. The first measures: it records the size of every nested message and the UTF-8 length of
 * every string in {@link #sizes}, in the order the second pass needs them (pre-order: a parent's
 * slot is reserved before its children are measured). The second writes into an array of exactly
 * the right size, taking the sizes in turn. Both walk the same immutable tree in the same order.
 * One instance per call.
 */
final class MessageEncoder {
  private int[] sizes = new int[32];
  private int recorded;
  private int consumed;

  private byte[] buf = new byte[0];
  private int pos;

  // UTF-8 lengths of the envelope's strings, from pass 1
  private int fromLength;
  private int toLength;
  private int typeLength;
  private int correlationLength;

  private MessageEncoder() {}

  static byte[] encode(AgentMessage message) {
    MessageEncoder encoder = new MessageEncoder();
    try {
      int size = encoder.measure(message);
      encoder.buf = new byte[size];
      encoder.write(message);
      if (encoder.pos != size) {
        throw new IllegalStateException("ProtobufCodec measured " + size + " bytes but wrote "
            + encoder.pos + " for " + message);
      }
      return encoder.buf;
    } catch (WireFailure f) {
      throw new CodecException("Cannot encode " + message.messageType() + " from "
          + message.fromAgent() + " as protobuf: " + f.describe());
    } catch (ArrayIndexOutOfBoundsException e) {
      // the array was sized by measure(): running out of it is a bug in this class
      throw new IllegalStateException("ProtobufCodec measured a message wrongly: " + message, e);
    }
  }

  // ------------------------------------------------------------------ pass 1: sizes

  private int measure(AgentMessage m) {
    fromLength = utf8Length(m.fromAgent(), "from_agent");
    int size = lengthDelimitedField(fromLength);
    String to = m.toAgent();
    if (to != null) {
      toLength = utf8Length(to, "to_agent");
      size += lengthDelimitedField(toLength);
    }
    typeLength = utf8Length(m.messageType().wireName(), "message_type");
    size += lengthDelimitedField(typeLength);
    try {
      for (Map.Entry<String, @Nullable Object> e : m.content().entrySet()) {
        size += lengthDelimitedField(measureField(e.getKey(), e.getValue()));
      }
    } catch (WireFailure f) {
      throw f.at("content");
    }
    long millis = m.timestamp().toEpochMilli();
    String timestampProblem = Wire.timestampProblem(millis);
    if (timestampProblem != null) {
      throw new WireFailure(timestampProblem);
    }
    size += 1 + varint64Size(millis);
    String cid = m.correlationId();
    if (cid != null) {
      correlationLength = utf8Length(cid, "correlation_id");
      size += lengthDelimitedField(correlationLength);
    }
    return size;
  }

  /** The size of the Field message holding {@code key} and {@code value}. */
  private int measureField(String key, @Nullable Object value) {
    int slot = reserve();
    int keySlot = reserve();
    int size;
    try {
      int keyLength = utf8Length(key);
      sizes[keySlot] = keyLength;
      // proto3 does not write an empty string, and the codec writes what protoc's code writes
      size = (keyLength == 0 ? 0 : lengthDelimitedField(keyLength)) + measureKind(value);
    } catch (WireFailure f) {
      throw f.at(key);
    }
    sizes[slot] = size;
    return size;
  }

  /**
   * The size of {@code v} as the one value field of a Field or Value (tag included), which is
   * also the size of a Value message holding it.
   */
  private int measureKind(@Nullable Object v) {
    if (v instanceof String) {
      int slot = reserve();
      int length = utf8Length((String) v);
      sizes[slot] = length;
      return lengthDelimitedField(length);
    }
    if (v instanceof Long) {
      return 1 + varint64Size(zigzag((Long) v));
    }
    if (v instanceof Double) {
      return 1 + 8;
    }
    if (v instanceof Boolean || v == null) {
      return 1 + 1;
    }
    if (v instanceof Map) {
      int slot = reserve();
      int size = 0;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        size += lengthDelimitedField(measureField((String) e.getKey(), e.getValue()));
      }
      sizes[slot] = size;
      return lengthDelimitedField(size);
    }
    if (v instanceof List) {
      return lengthDelimitedField(measureList((List<?>) v));
    }
    // AgentMessage admits nothing else; this guards against a change there
    throw new WireFailure("unsupported content value type " + v.getClass().getName());
  }

  /** The size of the ListValue holding {@code list}, in the form {@link #formOf} picks. */
  private int measureList(List<?> list) {
    int slot = reserve();
    int size = 0;
    switch (formOf(list)) {
      case Wire.LIST_STRINGS:
        for (int i = 0; i < list.size(); i++) {
          int elementSlot = reserve();
          try {
            int length = utf8Length((String) list.get(i));
            sizes[elementSlot] = length;
            size += lengthDelimitedField(length);
          } catch (WireFailure f) {
            throw f.at(i);
          }
        }
        break;
      case Wire.LIST_INTS: {
        int payloadSlot = reserve();
        int payload = 0;
        for (Object element : list) {
          payload += varint64Size(zigzag((Long) element));
        }
        sizes[payloadSlot] = payload;
        size = lengthDelimitedField(payload);
        break;
      }
      case Wire.LIST_DOUBLES:
        size = lengthDelimitedField(8 * list.size());
        break;
      case Wire.LIST_VALUES:
        for (int i = 0; i < list.size(); i++) {
          try {
            size += lengthDelimitedField(measureKind(list.get(i)));
          } catch (WireFailure f) {
            throw f.at(i);
          }
        }
        break;
      default: // empty
        break;
    }
    sizes[slot] = size;
    return size;
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

  private int reserve() {
    if (recorded == sizes.length) {
      sizes = Arrays.copyOf(sizes, sizes.length * 2);
    }
    return recorded++;
  }

  /** The size of a one-byte tag, a length and that many bytes. */
  private static int lengthDelimitedField(int length) {
    return 1 + varint32Size(length) + length;
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

  private static int varint64Size(long v) {
    // 1 byte per 7 significant bits; 0 takes one byte; negatives (unzigzagged) take 10
    return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static int utf8Length(String value, String field) {
    try {
      return utf8Length(value);
    } catch (WireFailure f) {
      throw new WireFailure(field + ": " + f.getMessage());
    }
  }

  /**
   * The UTF-8 length of {@code s}. Protobuf strings must be valid UTF-8, which a Java string with
   * an unpaired surrogate cannot become: that is an error here, not a silent '?'.
   */
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
          throw new WireFailure("the string has an unpaired surrogate at index " + i
              + ", which UTF-8 (and so protobuf) cannot carry");
        }
      } else {
        length += 2;
      }
    }
    return length;
  }

  // ------------------------------------------------------------------ pass 2: bytes

  private void write(AgentMessage m) {
    writeString(Wire.FROM_AGENT, m.fromAgent(), fromLength);
    String to = m.toAgent();
    if (to != null) {
      writeString(Wire.TO_AGENT, to, toLength);
    }
    writeString(Wire.MESSAGE_TYPE, m.messageType().wireName(), typeLength);
    for (Map.Entry<String, @Nullable Object> e : m.content().entrySet()) {
      writeField(Wire.CONTENT, e.getKey(), e.getValue());
    }
    // written even when 0, so that a reader can tell it from a missing timestamp
    tag(Wire.TIMESTAMP_MILLIS, Wire.VARINT);
    varint64(m.timestamp().toEpochMilli());
    String cid = m.correlationId();
    if (cid != null) {
      writeString(Wire.CORRELATION_ID, cid, correlationLength);
    }
  }

  private int next() {
    return sizes[consumed++];
  }

  private void writeField(int field, String key, @Nullable Object value) {
    tag(field, LEN);
    varint32(next());
    int keyLength = next();
    if (keyLength != 0) {
      writeString(Wire.KEY, key, keyLength);
    }
    writeKind(value);
  }

  /** Writes {@code v} as a Value message in field {@code field}. */
  private void writeValue(int field, @Nullable Object v) {
    tag(field, LEN);
    varint32(kindSize(v));
    writeKind(v);
  }

  /** What {@link #measureKind} returned for {@code v}, which is next in line to be written. */
  private int kindSize(@Nullable Object v) {
    if (v instanceof Long) {
      return 1 + varint64Size(zigzag((Long) v));
    }
    if (v instanceof Double) {
      return 1 + 8;
    }
    if (v instanceof Boolean || v == null) {
      return 1 + 1;
    }
    return lengthDelimitedField(sizes[consumed]); // a string's length, an object's or list's size
  }

  /** Writes the one value field of a Field or Value. */
  private void writeKind(@Nullable Object v) {
    if (v instanceof String) {
      writeString(Wire.STRING_VALUE, (String) v, next());
    } else if (v instanceof Long) {
      tag(Wire.INT_VALUE, Wire.VARINT);
      varint64(zigzag((Long) v));
    } else if (v instanceof Double) {
      tag(Wire.DOUBLE_VALUE, Wire.I64);
      fixed64(Double.doubleToRawLongBits((Double) v));
    } else if (v instanceof Boolean) {
      tag(Wire.BOOL_VALUE, Wire.VARINT);
      buf[pos++] = (byte) ((Boolean) v ? 1 : 0);
    } else if (v == null) {
      tag(Wire.NULL_VALUE, Wire.VARINT);
      buf[pos++] = 0;
    } else if (v instanceof Map) {
      tag(Wire.STRUCT_VALUE, LEN);
      varint32(next());
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        writeField(Wire.STRUCT_FIELDS, (String) e.getKey(), e.getValue());
      }
    } else {
      writeList((List<?>) v);
    }
  }

  private void writeList(List<?> list) {
    tag(Wire.LIST_VALUE, LEN);
    varint32(next());
    switch (formOf(list)) {
      case Wire.LIST_STRINGS:
        for (Object element : list) {
          writeString(Wire.LIST_STRINGS, (String) element, next());
        }
        break;
      case Wire.LIST_INTS:
        tag(Wire.LIST_INTS, LEN);
        varint32(next());
        for (Object element : list) {
          varint64(zigzag((Long) element));
        }
        break;
      case Wire.LIST_DOUBLES:
        tag(Wire.LIST_DOUBLES, LEN);
        varint32(8 * list.size());
        for (Object element : list) {
          fixed64(Double.doubleToRawLongBits((Double) element));
        }
        break;
      case Wire.LIST_VALUES:
        for (Object element : list) {
          writeValue(Wire.LIST_VALUES, element);
        }
        break;
      default: // empty
        break;
    }
  }

  // ------------------------------------------------------------------ wire primitives

  /** Every tag of the schema is below 128: one byte. */
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

  /** A string field whose UTF-8 length (measured in pass 1) is {@code length}. */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII
  private void writeString(int field, String s, int length) {
    tag(field, LEN);
    varint32(length);
    int n = s.length();
    byte[] b = buf;
    int p = pos;
    if (length == n) {
      // ASCII (pass 1 measured one byte per char): the low byte of each char is its UTF-8, and
      // this copy is an array copy for the JDK's compact Latin-1 strings
      s.getBytes(0, n, b, p);
      pos = p + n;
      return;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | (c >>> 6));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)) { // paired: pass 1 checked
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[p++] = (byte) (0xF0 | (cp >>> 18));
        b[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
        b[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        b[p++] = (byte) (0xE0 | (c >>> 12));
        b[p++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    pos = p;
  }
}
