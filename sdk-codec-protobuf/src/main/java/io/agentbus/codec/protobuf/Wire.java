package io.agentbus.codec.protobuf;

import org.jspecify.annotations.Nullable;

/**
 * Field numbers of {@code agentbus/v1/agent_message.proto} and the wire type each is written with.
 * A tag is {@code (field number << 3) | wire type}. {@code SchemaConformanceTest} checks these
 * against the descriptors protoc generates from the schema.
 */
final class Wire {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;

  // AgentMessage
  static final int FROM_AGENT = 1;
  static final int TO_AGENT = 2;
  static final int MESSAGE_TYPE = 3;
  static final int CONTENT = 4;
  static final int TIMESTAMP_MILLIS = 5;
  static final int CORRELATION_ID = 6;
  static final int TIMESTAMP_NANOS_OF_MILLI = 7;

  // Field and Value: Field.key, then the value kinds, numbered alike in both
  static final int KEY = 1;
  static final int NULL_VALUE = 2;
  static final int BOOL_VALUE = 3;
  static final int INT_VALUE = 4;
  static final int DOUBLE_VALUE = 5;
  static final int STRING_VALUE = 6;
  static final int STRUCT_VALUE = 7;
  static final int LIST_VALUE = 8;

  // Struct.fields
  static final int STRUCT_FIELDS = 1;

  // ListValue: its four forms
  static final int LIST_VALUES = 1;
  static final int LIST_STRINGS = 2;
  static final int LIST_INTS = 3;
  static final int LIST_DOUBLES = 4;

  /** The fields of each message: names and wire types indexed by field number. */
  static final Schema AGENT_MESSAGE = new Schema("AgentMessage",
      new String[] {null, "from_agent", "to_agent", "message_type", "content", "timestamp_millis",
          "correlation_id", "timestamp_nanos_of_milli"},
      new int[] {-1, LEN, LEN, LEN, LEN, VARINT, LEN, VARINT});
  static final Schema FIELD = new Schema("Field",
      new String[] {null, "key", "null_value", "bool_value", "int_value", "double_value",
          "string_value", "struct_value", "list_value"},
      new int[] {-1, LEN, VARINT, VARINT, VARINT, I64, LEN, LEN, LEN});
  static final Schema VALUE = new Schema("Value",
      new String[] {null, null, "null_value", "bool_value", "int_value", "double_value",
          "string_value", "struct_value", "list_value"},
      new int[] {-1, -1, VARINT, VARINT, VARINT, I64, LEN, LEN, LEN});
  static final Schema STRUCT = new Schema("Struct",
      new String[] {null, "fields"},
      new int[] {-1, LEN});
  static final Schema LIST = new Schema("ListValue",
      new String[] {null, "values", "strings", "ints", "doubles"},
      new int[] {-1, LEN, LEN, VARINT, I64});

  /**
   * Timestamps are limited to the years 0000 to 9999, the range of the seed's JSON format, so that
   * every message a Protobuf agent sends can be relayed to a JSON agent.
   */
  static final long MIN_TIMESTAMP_MILLIS = -62_167_219_200_000L; // 0000-01-01T00:00:00.000Z
  static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L; // 9999-12-31T23:59:59.999Z

  private Wire() {}

  /** Null when the timestamp is in range, else what is wrong with it. */
  static @Nullable String timestampProblem(long millis) {
    if (millis >= MIN_TIMESTAMP_MILLIS && millis <= MAX_TIMESTAMP_MILLIS) {
      return null;
    }
    return "timestamp_millis " + millis + " is outside the years 0000 to 9999, which the seed's"
        + " JSON format (and so every agent) can carry";
  }

  static int tag(int fieldNumber, int wireType) {
    return (fieldNumber << 3) | wireType;
  }

  static String wireTypeName(int wireType) {
    switch (wireType) {
      case VARINT:
        return "varint";
      case I64:
        return "fixed64";
      case LEN:
        return "length-delimited";
      case START_GROUP:
        return "start-group";
      case END_GROUP:
        return "end-group";
      case 5:
        return "fixed32";
      default:
        return "invalid (" + wireType + ")";
    }
  }

  /** One message of the schema. */
  static final class Schema {
    final String name;
    private final @Nullable String[] fieldNames;
    private final int[] wireTypes;

    Schema(String name, @Nullable String[] fieldNames, int[] wireTypes) {
      this.name = name;
      this.fieldNames = fieldNames;
      this.wireTypes = wireTypes;
    }

    /** The field's name, or null for a number this version does not know or keeps free. */
    @Nullable String fieldName(int fieldNumber) {
      return fieldNumber > 0 && fieldNumber < fieldNames.length ? fieldNames[fieldNumber] : null;
    }

    /** The highest field number this version knows. */
    int lastField() {
      return fieldNames.length - 1;
    }

    int wireType(int fieldNumber) {
      return wireTypes[fieldNumber];
    }

    /** How a field is named in errors: {@code from_agent (field 1)}. */
    String describe(int fieldNumber) {
      return name + "." + fieldNames[fieldNumber] + " (field " + fieldNumber + ")";
    }
  }
}
