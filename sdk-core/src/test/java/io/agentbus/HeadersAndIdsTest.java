package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeadersAndIdsTest {

  @Test
  void headersKeepOrderAndMultipleValues() {
    Headers h = Headers.builder().add("B", "1").add("A", "2").add("B", "3").build();
    assertThat(h.names()).containsExactly("B", "A");
    assertThat(h.all("B")).containsExactly("1", "3");
    assertThat(h.first("B")).isEqualTo("1");
    assertThat(h.first("missing")).isNull();
    Headers changed = h.toBuilder().set("B", "x").remove("A").build();
    assertThat(changed.all("B")).containsExactly("x");
    assertThat(h.all("B")).containsExactly("1", "3");
    assertThat(Headers.builder().build()).isSameAs(Headers.empty());
  }

  @Test
  void withSetsOneHeaderOnACopyAndKeepsTheOthersInOrder() {
    Headers h = Headers.builder().add("B", "1").add("A", "2").add("B", "3").build();
    Headers replaced = h.with("B", "x");
    assertThat(replaced.names()).containsExactly("B", "A");
    assertThat(replaced.all("B")).containsExactly("x");
    assertThat(h.all("B")).containsExactly("1", "3");
    Headers added = h.with("C", "4");
    assertThat(added.names()).containsExactly("B", "A", "C");
    assertThat(added).isEqualTo(h.toBuilder().set("C", "4").build());
    assertThat(Headers.empty().with("C", "4")).isEqualTo(Headers.of("C", "4"));
    assertThat(Headers.of("C", "4").asMap()).containsExactly(Map.entry("C", List.of("4")));
    assertThatThrownBy(() -> h.with("Bad Name", "v")).hasMessageContaining("Bad Name");
    assertThatThrownBy(() -> h.with("C", "a\nb")).hasMessageContaining("CR or LF");
  }

  @Test
  void headersRejectWhatTheNatsProtocolCannotCarry() {
    assertThatThrownBy(() -> Headers.of("Bad:Name", "v")).hasMessageContaining("Bad:Name");
    assertThatThrownBy(() -> Headers.of("Name", "a\r\nInjected: x"))
        .hasMessageContaining("CR or LF");
    assertThatThrownBy(() -> Headers.of("", "v")).hasMessageContaining("empty");
  }

  @Test
  void correlationIdsFollowTheSeedFormAndAreUnique() {
    Instant now = Instant.ofEpochMilli(1733409130004L);
    String id = CorrelationIds.next("parser-dev-001", now);
    assertThat(id).matches("parser-dev-001-1733409130004-\\d+");

    Set<String> ids = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 10_000).parallel()
        .forEach(i -> ids.add(CorrelationIds.next("a", now)));
    assertThat(ids).hasSize(10_000);
    assertThat(new HashSet<>(List.of(id))).doesNotContainAnyElementsOf(ids);
  }

  @Test
  void exceptionsTellWhatToRetry() {
    assertThat(new RequestTimeoutException("s", java.time.Duration.ofMillis(5)).isRetriable())
        .isTrue();
    assertThat(new NoRespondersException("s").isRetriable()).isTrue();
    assertThat(new CodecException("bad").isRetriable()).isFalse();
    assertThat(new TransportException("reconnecting", null, true).isRetriable()).isTrue();
    assertThat(new InvalidSubjectException("x")).isInstanceOf(AgentBusException.class);
  }
}
