package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
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
            .setTimestampMillis(m.timestamp().toEpochMilli());
    if (m.toAgent() != null) {
      b.setToAgent(m.toAgent());
    }
    if (m.correlationId() != null) {
      b.setCorrelationId(m.correlationId());
    }
    m.content().forEach((k, v) -> b.putContent(k, toValue(v)));
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
      Struct.Builder s = Struct.newBuilder();
      ((Map<?, ?>) v).forEach((k, x) -> s.putFields((String) k, toValue(x)));
      b.setStructValue(s);
    } else {
      ListValue.Builder l = ListValue.newBuilder();
      for (Object x : (List<?>) v) {
        l.addValues(toValue(x));
      }
      b.setListValue(l);
    }
    return b.build();
  }

  static AgentMessage fromGenerated(io.agentbus.codec.protobuf.v1.AgentMessage g) {
    Map<String, Object> content = new LinkedHashMap<>();
    g.getContentMap().forEach((k, v) -> content.put(k, fromValue(v)));
    return AgentMessage.builder()
        .fromAgent(g.getFromAgent())
        .toAgent(g.hasToAgent() ? g.getToAgent() : null)
        .messageType(MessageType.of(g.getMessageType()))
        .content(content)
        .timestamp(Instant.ofEpochMilli(g.getTimestampMillis()))
        .correlationId(g.hasCorrelationId() ? g.getCorrelationId() : null)
        .build();
  }

  static Object fromValue(Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return null;
      case BOOL_VALUE:
        return v.getBoolValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case STRING_VALUE:
        return v.getStringValue();
      case STRUCT_VALUE:
        Map<String, Object> m = new LinkedHashMap<>();
        v.getStructValue().getFieldsMap().forEach((k, x) -> m.put(k, fromValue(x)));
        return m;
      case LIST_VALUE:
        List<Object> l = new ArrayList<>();
        v.getListValue().getValuesList().forEach(x -> l.add(fromValue(x)));
        return l;
      default:
        throw new IllegalArgumentException("Value without a kind: " + v);
    }
  }
}
