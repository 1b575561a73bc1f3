package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentMessageTest {

  @Test
  void keepsEveryField() {
    Instant ts = Instant.parse("2025-12-05T14:30:00.123456Z");
    AgentMessage m = AgentMessage.builder()
        .fromAgent("architect-001")
        .toAgent("parser-dev-001")
        .messageType(MessageType.QUESTION)
        .content(Map.of("question", "What format?"))
        .timestamp(ts)
        .correlationId("arch-001-1733409000.123")
        .build();
    assertThat(m.fromAgent()).isEqualTo("architect-001");
    assertThat(m.toAgent()).isEqualTo("parser-dev-001");
    assertThat(m.messageType()).isEqualTo(MessageType.QUESTION);
    assertThat(m.content()).containsEntry("question", "What format?");
    assertThat(m.timestamp()).isEqualTo(ts);
    assertThat(m.correlationId()).isEqualTo("arch-001-1733409000.123");
    assertThat(m.toBuilder().build()).isEqualTo(m).hasSameHashCodeAs(m);
  }

  @Test
  void keepsTheTimestampToTheNanosecondAndComparesItExactly() {
    AgentMessage m = message(Map.of());
    for (String t : new String[] {"2025-12-05T14:30:00.123999999Z", "1969-12-31T23:59:59.999500Z",
        "2025-12-05T14:30:00.120Z", "2025-12-05T14:30:30.123456Z"}) {
      AgentMessage fine = m.toBuilder().timestamp(Instant.parse(t)).build();
      assertThat(fine.timestamp()).as(t).isEqualTo(Instant.parse(t));
      AgentMessage oneNanoLater = fine.toBuilder().timestamp(fine.timestamp().plusNanos(1)).build();
      assertThat(oneNanoLater).as(t).isNotEqualTo(fine);
      assertThat(fine.toBuilder().build()).as(t).isEqualTo(fine).hasSameHashCodeAs(fine);
    }
  }

  @Test
  void theDefaultTimestampIsNowAtWholeMilliseconds() {
    long before = System.currentTimeMillis();
    Instant stamped = AgentMessage.builder().fromAgent("a").messageType(MessageType.HEARTBEAT)
        .build().timestamp();
    long after = System.currentTimeMillis();

    assertThat(stamped.getNano() % 1_000_000).isZero();
    assertThat(stamped.toEpochMilli()).isBetween(before, after);
  }

  @Test
  void contentIsADeepImmutableCopyWithNormalisedNumbers() {
    List<Object> list = new ArrayList<>(Arrays.asList(1, 2.5f, null, "x"));
    Map<String, Object> inner = new HashMap<>();
    inner.put("n", (short) 7);
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("list", list);
    content.put("inner", inner);
    content.put("big", BigInteger.valueOf(Long.MAX_VALUE));
    content.put("nothing", null);

    AgentMessage m = message(content);
    list.add("mutated later");
    inner.put("m", 1);

    assertThat(m.content().get("list")).isEqualTo(Arrays.asList(1L, 2.5d, null, "x"));
    assertThat(m.content().get("inner")).isEqualTo(Map.of("n", 7L));
    assertThat(m.content().get("big")).isEqualTo(Long.MAX_VALUE);
    assertThat(m.content()).containsEntry("nothing", null);
    assertThatThrownBy(() -> m.content().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> copied = (List<Object>) m.content().get("list");
    assertThatThrownBy(() -> copied.add(1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void contentThatNobodyCanChangeIsSharedNotCopied() {
    Map<String, Object> frozen = Map.of("status", "ready", "n", 7L, "ratio", 0.5,
        "api", Map.of("fields", List.of("goal", "context"), "empty", List.of()));
    assertThat(message(frozen).content()).isSameAs(frozen);

    // unmodifiable but holding something mutable or unnormalised: copied as before
    List<Object> mutable = new ArrayList<>(List.of("a"));
    Map<String, Object> holdsMutable = Map.of("list", mutable);
    AgentMessage m = message(holdsMutable);
    mutable.add("later");
    assertThat(m.content()).isNotSameAs(holdsMutable).isEqualTo(Map.of("list", List.of("a")));
    Map<String, Object> holdsInt = Map.of("n", 7);
    assertThat(message(holdsInt).content()).isNotSameAs(holdsInt).isEqualTo(Map.of("n", 7L));
    Map<String, Object> unmodifiableView =
        java.util.Collections.unmodifiableMap(new HashMap<>(Map.of("k", "v")));
    assertThat(message(unmodifiableView).content()).isNotSameAs(unmodifiableView);
  }

  @Test
  void rejectsValuesThatAreNotJsonLikeNamingThePath() {
    assertThatThrownBy(() -> message(Map.of("a", Map.of("b", List.of(1, new Object())))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("content.a.b[1]")
        .hasMessageContaining("java.lang.Object");
    assertThatThrownBy(() -> message(Map.of("huge", BigInteger.TWO.pow(64))))
        .hasMessageContaining("64 bits");
    assertThatThrownBy(() -> message(Map.of("nan", Double.NaN))).hasMessageContaining("NaN");
    assertThatThrownBy(() -> message(Map.of("k", Map.of(1, "x"))))
        .hasMessageContaining("must be a String");
  }

  @Test
  void rejectsContentNestedTooDeep() {
    Object deep = "leaf";
    for (int i = 0; i < 70; i++) {
      deep = List.of(deep);
    }
    Object tooDeep = deep;
    assertThatThrownBy(() -> message(Map.of("deep", tooDeep)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64");
  }

  @Test
  void validatesAgentIdsAndRequiredFields() {
    assertThatThrownBy(() -> AgentMessage.builder().fromAgent("bad id")
        .messageType(MessageType.HEARTBEAT).build())
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("from_agent")
        .hasMessageContaining("'bad id'");
    assertThatThrownBy(() -> AgentMessage.builder().fromAgent("a").toAgent("b.c")
        .messageType(MessageType.HEARTBEAT).build())
        .hasMessageContaining("to_agent");
    assertThatThrownBy(() -> AgentMessage.builder().fromAgent("a").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("message_type");
  }

  @Test
  void adoptedContentIsValidatedNormalisedAndSealedWithoutACopy() {
    List<Object> list = new ArrayList<>(Arrays.asList(1, 2.5f, null, new LinkedHashMap<>(
        Map.of("deep", (short) 3))));
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("list", list);
    tree.put("n", 7);
    AgentMessage m = AgentMessage.builder().fromAgent("a").messageType(MessageType.ANSWER)
        .adoptContent(tree).build();

    assertThat(m.content()).isEqualTo(Map.of("list", Arrays.asList(1L, 2.5d, null,
        Map.of("deep", 3L)), "n", 7L));
    assertThat(m.content()).isEqualTo(message(Map.of("list", Arrays.asList(1, 2.5f, null,
        Map.of("deep", (short) 3)), "n", 7)).content());
    assertThatThrownBy(() -> m.content().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> sealed = (List<Object>) m.content().get("list");
    assertThatThrownBy(() -> sealed.add(1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = (Map<String, Object>) sealed.get(3);
    assertThatThrownBy(() -> nested.put("y", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void adoptedContentIsHeldToTheSameRulesAsCopiedContent() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("a", new ArrayList<>(List.of(1, new Object())));
    assertThatThrownBy(() -> AgentMessage.builder().fromAgent("a")
        .messageType(MessageType.ANSWER).adoptContent(bad).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("content.a[1]");
    Object deep = "leaf";
    for (int i = 0; i < 70; i++) {
      deep = new ArrayList<>(List.of(deep));
    }
    Map<String, Object> tooDeep = new LinkedHashMap<>();
    tooDeep.put("deep", deep);
    assertThatThrownBy(() -> AgentMessage.builder().fromAgent("a")
        .messageType(MessageType.ANSWER).adoptContent(tooDeep).build())
        .hasMessageContaining("deeper than 64");
  }

  private static AgentMessage message(Map<String, ?> content) {
    return AgentMessage.builder().fromAgent("a").messageType(MessageType.STATUS_UPDATE)
        .content(content).build();
  }
}
