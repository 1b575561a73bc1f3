package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.codec.protobuf.v1.Field;
import io.agentbus.codec.protobuf.v1.ListValue;
import io.agentbus.codec.protobuf.v1.NullValue;
import io.agentbus.codec.protobuf.v1.Struct;
import io.agentbus.codec.protobuf.v1.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between {@link AgentMessage} and the classes protoc generates from the schema: the
 * independent implementation the codec is checked against.
 */
final class GeneratedMapping {
  private GeneratedMapping() {}

  static io.agentbus.codec.protobuf.v1.AgentMessage toGenerated(AgentMessage m) {
    io.agentbus.codec.protobuf.v1.AgentMessage.Builder b =
        io.agentbus.codec.protobuf.v1.AgentMessage.newBuilder()
            .setFromAgent(m.fromAgent())
            .setMessageType(m.messageType().wireName())
            .setTimestampMillis(m.timestamp().toEpochMilli())
            .setTimestampNanosOfMilli(m.timestamp().getNano() % 1_000_000);
    if (m.toAgent() != null) {
      b.setToAgent(m.toAgent());
    }
    if (m.correlationId() != null) {
      b.setCorrelationId(m.correlationId());
    }
    m.content().forEach((k, v) -> b.addContent(toField(k, v)));
    return b.build();
  }

  static Field toField(String key, Object v) {
    Field.Builder b = Field.newBuilder().setKey(key);
    if (v == null) {
      b.setNullValue(NullValue.NULL_VALUE);
    } else if (v instanceof String) {
      b.setStringValue((String) v);
    } else if (v instanceof Long) {
      b.setIntValue((Long) v);
    } else if (v instanceof Double) {
      b.setDoubleValue((Double) v);
    } else if (v instanceof Boolean) {
      b.setBoolValue((Boolean) v);
    } else if (v instanceof Map) {
      b.setStructValue(toStruct((Map<?, ?>) v));
    } else {
      b.setListValue(toList((List<?>) v));
    }
    return b.build();
  }

  static Value toValue(Object v) {
    Value.Builder b = Value.newBuilder();
    if (v == null) {
      b.setNullValue(NullValue.NULL_VALUE);
    } else if (v instanceof String) {
      b.setStringValue((String) v);
    } else if (v instanceof Long) {
      b.setIntValue((Long) v);
    } else if (v instanceof Double) {
      b.setDoubleValue((Double) v);
    } else if (v instanceof Boolean) {
      b.setBoolValue((Boolean) v);
    } else if (v instanceof Map) {
      b.setStructValue(toStruct((Map<?, ?>) v));
    } else {
      b.setListValue(toList((List<?>) v));
    }
    return b.build();
  }

  private static Struct toStruct(Map<?, ?> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, x) -> s.addFields(toField((String) k, x)));
    return s.build();
  }

  /** The form rule of agent_message.proto, written out independently of the codec. */
  private static ListValue toList(List<?> list) {
    ListValue.Builder l = ListValue.newBuilder();
    if (!list.isEmpty() && list.stream().allMatch(x -> x instanceof String)) {
      list.forEach(x -> l.addStrings((String) x));
    } else if (!list.isEmpty() && list.stream().allMatch(x -> x instanceof Long)) {
      list.forEach(x -> l.addInts((Long) x));
    } else if (!list.isEmpty() && list.stream().allMatch(x -> x instanceof Double)) {
      list.forEach(x -> l.addDoubles((Double) x));
    } else {
      list.forEach(x -> l.addValues(toValue(x)));
    }
    return l.build();
  }

  static AgentMessage fromGenerated(io.agentbus.codec.protobuf.v1.AgentMessage g) {
    return AgentMessage.builder()
        .fromAgent(g.getFromAgent())
        .toAgent(g.hasToAgent() ? g.getToAgent() : null)
        .messageType(MessageType.of(g.getMessageType()))
        .content(fromFields(g.getContentList()))
        .timestamp(Instant.ofEpochMilli(g.getTimestampMillis())
            .plusNanos(g.getTimestampNanosOfMilli()))
        .correlationId(g.hasCorrelationId() ? g.getCorrelationId() : null)
        .build();
  }

  private static Map<String, Object> fromFields(List<Field> fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Field f : fields) {
      Object value;
      switch (f.getKindCase()) {
        case NULL_VALUE:
          value = null;
          break;
        case BOOL_VALUE:
          value = f.getBoolValue();
          break;
        case INT_VALUE:
          value = f.getIntValue();
          break;
        case DOUBLE_VALUE:
          value = f.getDoubleValue();
          break;
        case STRING_VALUE:
          value = f.getStringValue();
          break;
        case STRUCT_VALUE:
          value = fromFields(f.getStructValue().getFieldsList());
          break;
        case LIST_VALUE:
          value = fromList(f.getListValue());
          break;
        default:
          throw new IllegalArgumentException("Field without a value: " + f);
      }
      m.put(f.getKey(), value);
    }
    return m;
  }

  private static List<Object> fromList(ListValue list) {
    List<Object> l = new ArrayList<>();
    l.addAll(list.getStringsList());
    l.addAll(list.getIntsList());
    l.addAll(list.getDoublesList());
    for (Value v : list.getValuesList()) {
      switch (v.getKindCase()) {
        case NULL_VALUE:
          l.add(null);
          break;
        case BOOL_VALUE:
          l.add(v.getBoolValue());
          break;
        case INT_VALUE:
          l.add(v.getIntValue());
          break;
        case DOUBLE_VALUE:
          l.add(v.getDoubleValue());
          break;
        case STRING_VALUE:
          l.add(v.getStringValue());
          break;
        case STRUCT_VALUE:
          l.add(fromFields(v.getStructValue().getFieldsList()));
          break;
        case LIST_VALUE:
          l.add(fromList(v.getListValue()));
          break;
        default:
          throw new IllegalArgumentException("Value without a kind: " + v);
      }
    }
    return l;
  }
}
