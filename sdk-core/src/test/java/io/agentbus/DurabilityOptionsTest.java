package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StreamSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurabilityOptionsTest {

  @Test
  void durableQueueDefaultsAndBackoffRepeatsItsLastDelay() {
    QueueOptions o = QueueOptions.durable().backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .maxDeliveries(4).build();
    assertThat(o.isDurable()).isTrue();
    assertThat(o.maxDeliveries()).isEqualTo(4);
    assertThat(o.ackWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.duplicateWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.backoffAfter(1)).isEqualTo(Duration.ofMillis(10));
    assertThat(o.backoffAfter(2)).isEqualTo(Duration.ofMillis(50));
    assertThat(o.backoffAfter(9)).isEqualTo(Duration.ofMillis(50));
    assertThat(QueueOptions.atMostOnce().isDurable()).isFalse();
    assertThat(o.toBuilder().replicas(3).build().replicas()).isEqualTo(3);
    assertThat(o.toBuilder().replicas(3).build().backoff()).isEqualTo(o.backoff());
  }

  @Test
  void everyBuilderRefusesAnInvalidValueWithAConfigurationExceptionNamingIt() {
    // one exception type for every invalid builder value, as NatsTransportConfig and
    // InMemoryTransport's builders throw too
    assertThatThrownBy(() -> QueueOptions.durable().replicas(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("replicas");
    assertThatThrownBy(() -> QueueOptions.durable().maxDeliveries(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxDeliveries");
    assertThatThrownBy(() -> HistoryOptions.keepFor(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> HistoryOptions.keepFor(Duration.ofHours(1)).streamName("a.b"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("a.b");
    assertThatThrownBy(() -> MessageBus.builder().defaultRequestTimeout(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("defaultRequestTimeout");
  }

  @Test
  void historyOptionsAreBuiltLikeQueueOptions() {
    HistoryOptions h = HistoryOptions.keepFor(Duration.ofHours(1)).maxMessages(500).replicas(3)
        .streamName("audit").build();
    assertThat(h.maxAge()).isEqualTo(Duration.ofHours(1));
    assertThat(h.maxMessages()).isEqualTo(500);
    assertThat(h.replicas()).isEqualTo(3);
    assertThat(h.streamName()).isEqualTo("audit");
    HistoryOptions plain = HistoryOptions.keepFor(Duration.ofMinutes(5)).build();
    assertThat(plain.maxMessages()).isEqualTo(-1);
    assertThat(plain.replicas()).isEqualTo(1);
    assertThat(plain.streamName()).isNull();
    HistoryOptions copy = h.toBuilder().replicas(1).build();
    assertThat(copy.replicas()).isEqualTo(1);
    assertThat(copy.maxMessages()).isEqualTo(500);
    assertThat(copy.streamName()).isEqualTo("audit");
    assertThat(h.replicas()).as("the original is unchanged").isEqualTo(3);
  }

  @Test
  void badQueueOptionsNameTheSetting() {
    assertThatThrownBy(() -> QueueOptions.durable().maxDeliveries(0))
        .hasMessageContaining("maxDeliveries").hasMessageContaining("0");
    assertThatThrownBy(() -> QueueOptions.durable().ackWait(Duration.ZERO))
        .hasMessageContaining("ackWait");
    assertThatThrownBy(() -> QueueOptions.durable().backoff(List.of()))
        .hasMessageContaining("backoff");
    assertThatThrownBy(() -> QueueOptions.durable().backoff(Duration.ofSeconds(-1)))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> QueueOptions.durable().replicas(0)).hasMessageContaining("replicas");
    assertThatThrownBy(() -> QueueOptions.durable().streamName("a.b"))
        .hasMessageContaining("'a.b'").hasMessageContaining("'.'");
    assertThatThrownBy(() -> HistoryOptions.keepFor(Duration.ZERO))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> HistoryOptions.keepFor(Duration.ofHours(1)).maxMessages(0))
        .hasMessageContaining("maxMessages");
    assertThatThrownBy(() -> HistoryOptions.keepFor(Duration.ofHours(1)).replicas(0))
        .hasMessageContaining("replicas");
  }

  @Test
  void specsValidateWhatTheStoreWouldReject() {
    assertThatThrownBy(() -> new StreamSpec("s", List.of(), StreamSpec.Retention.LIMITS,
        Duration.ZERO, -1, Duration.ofMinutes(1), 1)).hasMessageContaining("at least one");
    assertThatThrownBy(() -> new StreamSpec("s", List.of("a..b"), StreamSpec.Retention.LIMITS,
        Duration.ZERO, -1, Duration.ofMinutes(1), 1)).isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> new StreamSpec("s p", List.of("a"), StreamSpec.Retention.LIMITS,
        Duration.ZERO, -1, Duration.ofMinutes(1), 1)).hasMessageContaining("'s p'");
    assertThatThrownBy(() -> new ConsumerSpec("s", "c", "a.b", Duration.ZERO, 1))
        .hasMessageContaining("ackWait");
    assertThatThrownBy(() -> new ReplaySpec("s", "a.>", null, 0))
        .hasMessageContaining("fromSequence");
  }

  @Test
  void replayStartsAtTheBeginningATimeOrAfterASequence() {
    assertThat(ReplayStart.beginning().fromSequence()).isEqualTo(1);
    assertThat(ReplayStart.afterSequence(41).fromSequence()).isEqualTo(42);
    Instant t = Instant.parse("2025-12-05T14:30:00Z");
    assertThat(ReplayStart.since(t).since()).isEqualTo(t);
    assertThatThrownBy(() -> ReplayStart.afterSequence(-1)).hasMessageContaining("-1");
  }
}
