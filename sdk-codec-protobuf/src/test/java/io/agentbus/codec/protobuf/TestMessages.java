package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Messages that exercise every part of the schema. */
final class TestMessages {
  private TestMessages() {}

  /** Every envelope field set and every kind of content value, nested. */
  static AgentMessage everyKind() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("file", "src/models/task.py");
    nested.put("line", 42L);
    nested.put("ratio", 0.25);
    nested.put("deeper", Map.of("empty_map", Map.of(), "empty_list", List.of()));

    Map<String, Object> content = new LinkedHashMap<>();
    content.put("string", "What format should Task.constraints use?");
    content.put("empty_string", "");
    content.put("unicode", "héllo wörld ✓ 𝄞 日本");
    content.put("long_max", Long.MAX_VALUE);
    content.put("long_min", Long.MIN_VALUE);
    content.put("zero", 0L);
    content.put("minus_one", -1L);
    content.put("big_long", 9_007_199_254_740_993L); // 2^53 + 1: not exact as a double
    content.put("integral_double", 2.0);
    content.put("double", 30.5);
    content.put("negative_zero", -0.0);
    content.put("tiny_double", Double.MIN_VALUE);
    content.put("huge_double", Double.MAX_VALUE);
    content.put("true", true);
    content.put("false", false);
    content.put("null", null);
    content.put("context", nested);
    content.put("list", Arrays.asList("parser", 1L, 1.5, true, null, List.of("x"), Map.of("k", "v")));
    content.put("", "empty key");
    return AgentMessage.builder()
        .fromAgent("architect-001")
        .toAgent("parser-dev-001")
        .messageType(MessageType.QUESTION)
        .content(content)
        .timestamp(Instant.parse("2025-12-05T14:30:00.123Z"))
        .correlationId("arch-001-1733409000.123")
        .build();
  }

  /** Only the required fields: no to_agent, no correlation id, empty content. */
  static AgentMessage minimal() {
    return AgentMessage.builder()
        .fromAgent("a")
        .messageType(MessageType.HEARTBEAT)
        .timestamp(Instant.EPOCH)
        .build();
  }

  /** A type this version does not know, as a newer peer sends it. */
  static AgentMessage unknownType() {
    return AgentMessage.builder()
        .fromAgent("planner-007")
        .messageType(MessageType.of("capability_offer"))
        .content(Map.of("capabilities", List.of("parse", "plan")))
        .timestamp(Instant.parse("2026-01-02T03:04:05.678Z"))
        .correlationId("")
        .build();
  }

  /** Content maps nested {@code levels} deep (the content map itself is level 1). */
  static Map<String, Object> nestedMaps(int levels) {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("leaf", List.of(1L, "bottom"));
    for (int i = 1; i < levels; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("level" + (levels - i), inner);
      inner = m;
    }
    return inner;
  }

  /** Content lists nested {@code levels} deep (the content map itself is level 1). */
  static Map<String, Object> nestedLists(int levels) {
    Object inner = "bottom";
    for (int i = 1; i < levels; i++) {
      List<Object> l = new ArrayList<>(1);
      l.add(inner);
      inner = l;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("nest", inner);
    return content;
  }
}
