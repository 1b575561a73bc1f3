package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.Wire.LEN;
import static io.agentbus.codec.protobuf.Wire.tag;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.spi.codec.Content;
import io.agentbus.spi.codec.RecentStrings;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one {@code agentbus.v1.AgentMessage} straight into the SDK's content tree, in one pass.
 *
 * <p>Untrusted input is safe here: every length is checked against the bytes that remain before
 * anything is allocated ({@link CodedInputStream} does that for strings and nested limits), so
 * allocations are bounded by the input's size; content nesting is bounded by {@link
 * Content#MAX_DEPTH}, checked before descending, so the recursion is at most a few hundred frames;
 * unknown groups are skipped by protobuf within its own recursion limit. Every problem ends as a
 * {@link CodecException} naming the field and, inside the content, the path.
 */
final class MessageDecoder {
  private static final int TAG_FROM_AGENT = tag(Wire.FROM_AGENT, LEN);
  private static final int TAG_TO_AGENT = tag(Wire.TO_AGENT, LEN);
  private static final int TAG_MESSAGE_TYPE = tag(Wire.MESSAGE_TYPE, LEN);
  private static final int TAG_CONTENT = tag(Wire.CONTENT, LEN);
  private static final int TAG_TIMESTAMP_MILLIS = tag(Wire.TIMESTAMP_MILLIS, Wire.VARINT);
  private static final int TAG_CORRELATION_ID = tag(Wire.CORRELATION_ID, LEN);
  private static final int TAG_TIMESTAMP_NANOS_OF_MILLI =
      tag(Wire.TIMESTAMP_NANOS_OF_MILLI, Wire.VARINT);
  private static final int TAG_KEY = tag(Wire.KEY, LEN);
  private static final int TAG_NULL = tag(Wire.NULL_VALUE, Wire.VARINT);
  private static final int TAG_BOOL = tag(Wire.BOOL_VALUE, Wire.VARINT);
  private static final int TAG_INT = tag(Wire.INT_VALUE, Wire.VARINT);
  private static final int TAG_DOUBLE = tag(Wire.DOUBLE_VALUE, Wire.I64);
  private static final int TAG_STRING = tag(Wire.STRING_VALUE, LEN);
  private static final int TAG_STRUCT = tag(Wire.STRUCT_VALUE, LEN);
  private static final int TAG_LIST = tag(Wire.LIST_VALUE, LEN);
  private static final int TAG_STRUCT_FIELDS = tag(Wire.STRUCT_FIELDS, LEN);
  private static final int TAG_LIST_VALUES = tag(Wire.LIST_VALUES, LEN);
  private static final int TAG_LIST_STRINGS = tag(Wire.LIST_STRINGS, LEN);
  private static final int TAG_LIST_INTS_PACKED = tag(Wire.LIST_INTS, LEN);
  private static final int TAG_LIST_INTS = tag(Wire.LIST_INTS, Wire.VARINT);
  private static final int TAG_LIST_DOUBLES_PACKED = tag(Wire.LIST_DOUBLES, LEN);
  private static final int TAG_LIST_DOUBLES = tag(Wire.LIST_DOUBLES, Wire.I64);

  /** Longest excerpt of a received value quoted in an error. */
  private static final int QUOTE_LIMIT = 80;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] bytes;
  private final CodedInputStream in;
  private final int inputSize;
  /** This thread's {@link RecentStrings}: most strings of a message were in the last one too. */
  private final RecentStrings.Table recentStrings = RecentStrings.table();
  /** The key of the Field being read; set by {@link #readMember}, read by {@link #readField}. */
  private @Nullable String key;

  private MessageDecoder(byte[] bytes) {
    this.bytes = bytes;
    this.in = CodedInputStream.newInstance(bytes);
    this.inputSize = bytes.length;
  }

  static AgentMessage decode(byte[] bytes) {
    try {
      return new MessageDecoder(bytes).readAgentMessage();
    } catch (WireFailure f) {
      throw new CodecException("Invalid protobuf AgentMessage (" + bytes.length + " bytes): "
          + f.describe(), f.getCause());
    } catch (IllegalArgumentException e) {
      // sealing checks what the reader checked already; reaching this is a bug in this class
      throw new CodecException("Could not decode protobuf AgentMessage: unexpected " + e
          + " (a ProtobufCodec bug; please report it with the input)", e);
    }
  }

  // ------------------------------------------------------------------ AgentMessage

  private AgentMessage readAgentMessage() {
    String from = null;
    String to = null;
    String type = null;
    long millis = 0;
    int nanosOfMilli = 0;
    String correlationId = null;
    Content.MapBuilder content = null;
    int seen = 0;
    int field = 0;
    try {
      while (true) {
        field = 0; // while reading a tag, no field is being read
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        field = tag >>> 3;
        if (tag == TAG_CONTENT) {
          if (content == null) {
            content = new Content.MapBuilder();
          }
          try {
            readField(content, 1);
          } catch (WireFailure f) {
            throw f.at("content");
          }
        } else if (tag == TAG_FROM_AGENT) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          from = readString();
        } else if (tag == TAG_TO_AGENT) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          to = readString();
        } else if (tag == TAG_MESSAGE_TYPE) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          type = readString();
        } else if (tag == TAG_TIMESTAMP_MILLIS) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          millis = in.readInt64();
        } else if (tag == TAG_CORRELATION_ID) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          correlationId = readString();
        } else if (tag == TAG_TIMESTAMP_NANOS_OF_MILLI) {
          seen = once(seen, Wire.AGENT_MESSAGE, field);
          nanosOfMilli = in.readInt32();
        } else {
          skipUnknown(tag, Wire.AGENT_MESSAGE);
        }
      }
    } catch (IOException e) {
      WireFailure f = WireFailure.of(e);
      String name = Wire.AGENT_MESSAGE.fieldName(field);
      throw name == null || field == Wire.CONTENT ? f : f.within(Wire.AGENT_MESSAGE.describe(field));
    }
    requirePresent(from, Wire.FROM_AGENT);
    requirePresent(type, Wire.MESSAGE_TYPE);
    if ((seen & (1 << Wire.TIMESTAMP_MILLIS)) == 0) {
      throw new WireFailure(Wire.AGENT_MESSAGE.describe(Wire.TIMESTAMP_MILLIS) + " is missing");
    }
    String timestampProblem = Wire.timestampProblem(millis);
    if (timestampProblem != null) {
      throw new WireFailure(timestampProblem);
    }
    if (nanosOfMilli < 0 || nanosOfMilli > 999_999) {
      throw new WireFailure(Wire.AGENT_MESSAGE.describe(Wire.TIMESTAMP_NANOS_OF_MILLI) + " is "
          + nanosOfMilli + "; it must be 0 to 999999, the nanoseconds below the millisecond");
    }
    MessageType messageType;
    try {
      messageType = MessageType.of(type);
    } catch (AgentBusException | IllegalArgumentException e) {
      throw new WireFailure(Wire.AGENT_MESSAGE.describe(Wire.MESSAGE_TYPE) + ": "
          + abbreviate(e.getMessage()), e);
    }
    try {
      return AgentMessage.builder()
          .fromAgent(from)
          .toAgent(to)
          .messageType(messageType)
          .adoptContent(content == null ? Map.of() : content.seal())
          .timestamp(Instant.ofEpochMilli(millis).plusNanos(nanosOfMilli))
          .correlationId(correlationId)
          .build();
    } catch (AgentBusException | IllegalArgumentException e) {
      throw new WireFailure(abbreviate(e.getMessage()), e);
    }
  }

  private static void requirePresent(@Nullable String value, int field) {
    if (value == null || value.isEmpty()) {
      throw new WireFailure(Wire.AGENT_MESSAGE.describe(field) + " is missing or empty");
    }
  }

  // ------------------------------------------------------------------ content

  /**
   * Reads one length-delimited {@code Field} (a key and a value) into {@code target}. The key may
   * come before or after the value on the wire; an absent key is "".
   *
   * @param depth the nesting depth of the object (the content is 1)
   */
  private void readField(Content.MapBuilder target, int depth) {
    key = null;
    Object value;
    try {
      value = readMember(depth, Wire.FIELD);
    } catch (IOException e) {
      throw key != null ? WireFailure.of(e).at(key) : WireFailure.of(e);
    } catch (WireFailure f) {
      throw key != null ? f.at(key) : f;
    }
    String k = key == null ? "" : key;
    if (!target.put(k, value)) {
      throw new WireFailure("key " + quote(k) + " appears twice");
    }
  }

  /**
   * Reads one length-delimited {@code Field} or {@code Value}: the value of exactly one kind, and
   * for a Field its key, which is left in {@link #key}.
   *
   * @param depth the nesting depth of the object or list holding it (the content is 1)
   */
  private @Nullable Object readMember(int depth, Wire.Schema schema) throws IOException {
    int outer = pushLength();
    Object value = null;
    int kind = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      int field = tag >>> 3;
      if (tag == TAG_STRING) {
        kind = oneKind(kind, field, schema);
        value = readString();
      } else if (tag == TAG_KEY && schema == Wire.FIELD) {
        if (key != null) {
          throw duplicate(schema, field);
        }
        key = readString();
      } else if (tag == TAG_INT) {
        kind = oneKind(kind, field, schema);
        value = in.readSInt64();
      } else if (tag == TAG_DOUBLE) {
        kind = oneKind(kind, field, schema);
        value = finite(in.readDouble());
      } else if (tag == TAG_BOOL) {
        kind = oneKind(kind, field, schema);
        value = in.readBool();
      } else if (tag == TAG_NULL) {
        kind = oneKind(kind, field, schema);
        in.readEnum(); // any value of NullValue means null
        value = null;
      } else if (tag == TAG_STRUCT) {
        kind = oneKind(kind, field, schema);
        String myKey = key; // nested Fields overwrite it
        try {
          value = readStruct(depth + 1);
        } finally {
          key = myKey;
        }
      } else if (tag == TAG_LIST) {
        kind = oneKind(kind, field, schema);
        String myKey = key; // nested Fields overwrite it
        try {
          value = readList(depth + 1);
        } finally {
          key = myKey;
        }
      } else {
        skipUnknown(tag, schema);
      }
    }
    in.popLimit(outer);
    if (kind == 0) {
      throw new WireFailure("a " + schema.name + " has no value of a kind this version knows"
          + " (null, bool, int, double, string, struct or list): it is empty or was written by a"
          + " newer peer");
    }
    return value;
  }

  private Map<String, @Nullable Object> readStruct(int depth) throws IOException {
    checkDepth(depth);
    int outer = pushLength();
    Content.MapBuilder map = new Content.MapBuilder();
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == TAG_STRUCT_FIELDS) {
        readField(map, depth);
      } else {
        skipUnknown(tag, Wire.STRUCT);
      }
    }
    in.popLimit(outer);
    return map.seal();
  }

  private List<@Nullable Object> readList(int depth) throws IOException {
    checkDepth(depth);
    int outer = pushLength();
    List<@Nullable Object> list = new ArrayList<>();
    int form = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      int field = tag >>> 3;
      try {
        if (tag == TAG_LIST_VALUES) {
          form = oneForm(form, field);
          list.add(readMember(depth, Wire.VALUE));
        } else if (tag == TAG_LIST_STRINGS) {
          form = oneForm(form, field);
          list.add(readString());
        } else if (tag == TAG_LIST_INTS_PACKED) {
          form = oneForm(form, field);
          int limit = pushLength();
          while (!in.isAtEnd()) {
            list.add(in.readSInt64());
          }
          in.popLimit(limit);
        } else if (tag == TAG_LIST_DOUBLES_PACKED) {
          form = oneForm(form, field);
          int limit = pushLength();
          if (in.getBytesUntilLimit() % 8 != 0) {
            throw new WireFailure("ListValue.doubles (field 4) is packed in "
                + in.getBytesUntilLimit() + " bytes, not a multiple of 8");
          }
          while (!in.isAtEnd()) {
            list.add(finite(in.readDouble()));
          }
          in.popLimit(limit);
        } else if (tag == TAG_LIST_INTS) { // protobuf readers accept repeated scalars unpacked too
          form = oneForm(form, field);
          list.add(in.readSInt64());
        } else if (tag == TAG_LIST_DOUBLES) {
          form = oneForm(form, field);
          list.add(finite(in.readDouble()));
        } else {
          skipUnknown(tag, Wire.LIST);
        }
      } catch (IOException e) {
        throw WireFailure.of(e).at(list.size());
      } catch (WireFailure f) {
        throw f.at(list.size());
      }
    }
    in.popLimit(outer);
    return Content.sealList(list);
  }

  private static int oneForm(int form, int field) {
    if (form != 0 && form != field) {
      throw new WireFailure("a ListValue mixes " + Wire.LIST.fieldName(form) + " and "
          + Wire.LIST.fieldName(field) + "; a list is written in one form only");
    }
    return field;
  }

  private static Double finite(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new WireFailure("a double is " + d + ": content numbers must be finite");
    }
    return d;
  }

  private static void checkDepth(int depth) {
    if (depth > Content.MAX_DEPTH) {
      throw new WireFailure("content is nested deeper than " + Content.MAX_DEPTH + " levels");
    }
  }

  // ------------------------------------------------------------------ wire helpers

  /**
   * Reads a length-delimited string as {@link CodedInputStream#readStringRequireUtf8} does, with
   * the same errors, but makes an ASCII string (nearly all of them: ids, types, keys) with one
   * copy instead of decoding it char by char (or takes it from the strings this thread read
   * lately). The reader was made over the whole of {@link #bytes}, so the bytes it has read are the
   * position in them.
   */
  private String readString() throws IOException {
    int length = in.readRawVarint32();
    int start = in.getTotalBytesRead();
    in.skipRawBytes(length); // fails, as protobuf would, on a negative or overlong length
    int end = start + length;
    int i = start;
    while (i + 8 <= end && ((long) LONGS.get(bytes, i) & 0x8080808080808080L) == 0) {
      i += 8; // eight ASCII bytes at a time
    }
    for (; i < end; i++) {
      if (bytes[i] < 0) {
        try { // the JDK's decoder, told to report, is as strict as protobuf's
          return StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, start, length)).toString();
        } catch (CharacterCodingException e) {
          throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
        }
      }
    }
    return RecentStrings.ascii(recentStrings, bytes, start, length);
  }

  /** Reads a length prefix and limits reading to it; returns the limit to restore. */
  private int pushLength() throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new WireFailure("a length prefix is negative (" + length + ")");
    }
    int remaining = in.getBytesUntilLimit(); // within the enclosing message; -1 at the top
    if (remaining < 0) {
      remaining = inputSize - in.getTotalBytesRead();
    }
    if (length > remaining) {
      throw new WireFailure("the input is truncated: a nested message claims " + length
          + " bytes where " + remaining + " remain");
    }
    return in.pushLimit(length);
  }

  private void skipUnknown(int tag, Wire.Schema schema) throws IOException {
    int field = tag >>> 3;
    int wireType = tag & 7;
    if (schema.fieldName(field) != null) {
      throw new WireFailure(schema.describe(field) + " has wire type " + Wire.wireTypeName(wireType)
          + ", expected " + Wire.wireTypeName(schema.wireType(field)));
    }
    if (wireType == Wire.END_GROUP) {
      throw new WireFailure("an end-group tag (field " + field + ") without a matching start-group in "
          + schema.name);
    }
    // a field of a newer schema version: skip it (protobuf bounds the depth of skipped groups)
    in.skipField(tag);
  }

  private static int once(int seen, Wire.Schema schema, int field) {
    int bit = 1 << field;
    if ((seen & bit) != 0) {
      throw duplicate(schema, field);
    }
    return seen | bit;
  }

  private static WireFailure duplicate(Wire.Schema schema, int field) {
    return new WireFailure(schema.describe(field) + " appears twice");
  }

  private static int oneKind(int kind, int field, Wire.Schema schema) {
    if (kind != 0) {
      throw new WireFailure("a " + schema.name + " has two values, " + schema.fieldName(kind)
          + " and " + schema.fieldName(field) + "; exactly one must be set");
    }
    return field;
  }

  /** An error text from AgentMessage, which quotes the received value in full. */
  private static String abbreviate(@Nullable String s) {
    if (s == null) {
      return "invalid message";
    }
    return s.length() <= 4 * QUOTE_LIMIT ? s : s.substring(0, 4 * QUOTE_LIMIT) + "...";
  }

  private static String quote(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= QUOTE_LIMIT ? "'" + s + "'" : "'" + s.substring(0, QUOTE_LIMIT) + "...'";
  }
}
