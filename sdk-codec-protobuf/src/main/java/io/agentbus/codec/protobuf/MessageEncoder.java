package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.Wire.LEN;

import com.google.protobuf.CodedOutputStream;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes one {@code agentbus.v1.AgentMessage} from the SDK's content tree, byte for byte as
 * protoc's generated code would (fields in number order, map entries in iteration order).
 *
 * <p>Protobuf prefixes every nested message with its length, so the encoder makes two passes: the
 * first computes the size of every nested message and records it in {@link #sizes} in the order the
 * second pass will need it (pre-order: a parent's slot is reserved before its children are
 * measured); the second writes into an array of exactly the right size. Both passes walk the same
 * immutable tree in the same order. One instance per call.
 */
final class MessageEncoder {
  private int[] sizes = new int[16];
  private int recorded;
  private int consumed;

  private MessageEncoder() {}

  static byte[] encode(AgentMessage message) {
    MessageEncoder encoder = new MessageEncoder();
    try {
      int size = encoder.measure(message);
      byte[] bytes = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      encoder.write(message, out);
      out.checkNoSpaceLeft();
      return bytes;
    } catch (WireFailure f) {
      throw new CodecException("Cannot encode " + message.messageType() + " from "
          + message.fromAgent() + " as protobuf: " + f.describe());
    } catch (IOException e) {
      // the array was sized by measure(): running out of it is a bug in this class
      throw new IllegalStateException("ProtobufCodec measured a message wrongly", e);
    }
  }

  // ------------------------------------------------------------------ pass 1: sizes

  private int measure(AgentMessage m) {
    int size = stringField(m.fromAgent(), "from_agent");
    String to = m.toAgent();
    if (to != null) {
      size += stringField(to, "to_agent");
    }
    size += stringField(m.messageType().wireName(), "message_type");
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
    size += 1 + CodedOutputStream.computeInt64SizeNoTag(millis);
    String cid = m.correlationId();
    if (cid != null) {
      size += stringField(cid, "correlation_id");
    }
    return size;
  }

  private static int stringField(String value, String name) {
    int length;
    try {
      length = utf8Length(value);
    } catch (WireFailure f) {
      throw new WireFailure(name + ": " + f.getMessage());
    }
    return lengthDelimitedField(length);
  }

  /** The size of a one-byte tag, a length and that many bytes. */
  private static int lengthDelimitedField(int length) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
  }

  /** The size of the Field message holding {@code key} and {@code value}. */
  private int measureField(String key, @Nullable Object value) {
    int slot = reserve();
    int size;
    try {
      int keyLength = utf8Length(key);
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
      return 1 + CodedOutputStream.computeSInt64SizeNoTag((Long) v);
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
          try {
            size += lengthDelimitedField(utf8Length((String) list.get(i)));
          } catch (WireFailure f) {
            throw f.at(i);
          }
        }
        break;
      case Wire.LIST_INTS: {
        int payloadSlot = reserve();
        int payload = 0;
        for (Object element : list) {
          payload += CodedOutputStream.computeSInt64SizeNoTag((Long) element);
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

  private void write(AgentMessage m, CodedOutputStream out) throws IOException {
    out.writeString(Wire.FROM_AGENT, m.fromAgent());
    String to = m.toAgent();
    if (to != null) {
      out.writeString(Wire.TO_AGENT, to);
    }
    out.writeString(Wire.MESSAGE_TYPE, m.messageType().wireName());
    for (Map.Entry<String, @Nullable Object> e : m.content().entrySet()) {
      writeField(Wire.CONTENT, e.getKey(), e.getValue(), out);
    }
    // written even when 0, so that a reader can tell it from a missing timestamp
    out.writeInt64(Wire.TIMESTAMP_MILLIS, m.timestamp().toEpochMilli());
    String cid = m.correlationId();
    if (cid != null) {
      out.writeString(Wire.CORRELATION_ID, cid);
    }
  }

  private int next() {
    return sizes[consumed++];
  }

  private void writeField(int field, String key, @Nullable Object value, CodedOutputStream out)
      throws IOException {
    out.writeTag(field, LEN);
    out.writeUInt32NoTag(next());
    if (!key.isEmpty()) {
      out.writeString(Wire.KEY, key);
    }
    writeKind(value, out);
  }

  /** Writes {@code v} as a Value message in field {@code field}. */
  private void writeValue(int field, @Nullable Object v, CodedOutputStream out)
      throws IOException {
    out.writeTag(field, LEN);
    out.writeUInt32NoTag(kindSize(v));
    writeKind(v, out);
  }

  /** What {@link #measureKind} returned for {@code v}, which is next in line to be written. */
  private int kindSize(@Nullable Object v) {
    if (v instanceof Long) {
      return 1 + CodedOutputStream.computeSInt64SizeNoTag((Long) v);
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
  private void writeKind(@Nullable Object v, CodedOutputStream out) throws IOException {
    if (v instanceof String) {
      consumed++; // its length: writeString measures again as it encodes
      out.writeString(Wire.STRING_VALUE, (String) v);
    } else if (v instanceof Long) {
      out.writeSInt64(Wire.INT_VALUE, (Long) v);
    } else if (v instanceof Double) {
      out.writeDouble(Wire.DOUBLE_VALUE, (Double) v);
    } else if (v instanceof Boolean) {
      out.writeBool(Wire.BOOL_VALUE, (Boolean) v);
    } else if (v == null) {
      out.writeEnum(Wire.NULL_VALUE, 0);
    } else if (v instanceof Map) {
      out.writeTag(Wire.STRUCT_VALUE, LEN);
      out.writeUInt32NoTag(next());
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        writeField(Wire.STRUCT_FIELDS, (String) e.getKey(), e.getValue(), out);
      }
    } else {
      writeList((List<?>) v, out);
    }
  }

  private void writeList(List<?> list, CodedOutputStream out) throws IOException {
    out.writeTag(Wire.LIST_VALUE, LEN);
    out.writeUInt32NoTag(next());
    switch (formOf(list)) {
      case Wire.LIST_STRINGS:
        for (Object element : list) {
          out.writeString(Wire.LIST_STRINGS, (String) element);
        }
        break;
      case Wire.LIST_INTS:
        out.writeTag(Wire.LIST_INTS, LEN);
        out.writeUInt32NoTag(next());
        for (Object element : list) {
          out.writeSInt64NoTag((Long) element);
        }
        break;
      case Wire.LIST_DOUBLES:
        out.writeTag(Wire.LIST_DOUBLES, LEN);
        out.writeUInt32NoTag(8 * list.size());
        for (Object element : list) {
          out.writeDoubleNoTag((Double) element);
        }
        break;
      case Wire.LIST_VALUES:
        for (Object element : list) {
          writeValue(Wire.LIST_VALUES, element, out);
        }
        break;
      default: // empty
        break;
    }
  }
}
