package io.agentbus.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.HistoryOptions;
import io.agentbus.MessageBus;
import io.agentbus.QueueOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueAndHistoryKeysTest {

  private static AgentBusConfig config(Map<String, String> properties) {
    return AgentBusConfig.fromProperties(properties);
  }

  @Test
  void aQueueTurnsDurableWithEveryOptionByConfigurationAlone() {
    AgentBusConfig c = config(Map.ofEntries(
        Map.entry("agentbus.queue.test_execution.durable", "true"),
        Map.entry("agentbus.queue.test_execution.max-deliveries", "3"),
        Map.entry("agentbus.queue.test_execution.backoff", "100ms, 2s,1m"),
        Map.entry("agentbus.queue.test_execution.ack-wait", "45s"),
        Map.entry("agentbus.queue.test_execution.duplicate-window", "5m"),
        Map.entry("agentbus.queue.test_execution.processed-window", "1h"),
        Map.entry("agentbus.queue.test_execution.processed-capacity", "500"),
        Map.entry("agentbus.queue.test_execution.replicas", "3"),
        Map.entry("agentbus.queue.test_execution.publish-timeout", "20s"),
        Map.entry("agentbus.queue.test_execution.max-ack-pending", "64"),
        Map.entry("agentbus.queue.test_execution.stream-name", "tests")));
    QueueOptions q = c.queueOptions("test_execution");
    assertThat(q.isDurable()).isTrue();
    assertThat(q.maxDeliveries()).isEqualTo(3);
    assertThat(q.backoff()).containsExactly(Duration.ofMillis(100), Duration.ofSeconds(2),
        Duration.ofMinutes(1));
    assertThat(q.ackWait()).isEqualTo(Duration.ofSeconds(45));
    assertThat(q.duplicateWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(q.processedWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(q.processedCapacity()).isEqualTo(500);
    assertThat(q.replicas()).isEqualTo(3);
    assertThat(q.publishTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(q.maxAckPending()).isEqualTo(64);
    assertThat(q.streamName()).isEqualTo("tests");
    assertThat(c.queues()).containsOnlyKeys("test_execution");
    assertThat(c.queueOptions("other").isDurable()).isFalse();
  }

  @Test
  void theDefaultQueueOptionsApplyToEveryQueueAndAQueuesOwnKeysWin() {
    AgentBusConfig c = config(Map.of(
        "agentbus.queues.default.durable", "true",
        "agentbus.queues.default.max-deliveries", "7",
        "agentbus.queues.default.ack-wait", "1m",
        "agentbus.queue.billing.max-deliveries", "2",
        "agentbus.queue.chatter.durable", "false"));
    assertThat(c.defaultQueueOptions().isDurable()).isTrue();
    assertThat(c.defaultQueueOptions().maxDeliveries()).isEqualTo(7);
    assertThat(c.queueOptions("anything").maxDeliveries()).isEqualTo(7);
    assertThat(c.queueOptions("billing").maxDeliveries()).isEqualTo(2);
    assertThat(c.queueOptions("billing").ackWait()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.queueOptions("chatter")).isSameAs(QueueOptions.atMostOnce());
  }

  @Test
  void theBusBuiltFromConfigurationHasTheQueuesAndHistories() {
    AgentBusConfig c = config(Map.of(
        "agentbus.queue.test_execution.durable", "true",
        "agentbus.history.broadcasts.max-age", "1h",
        "agentbus.history.dead-letters.max-age", "3d"));
    try (MessageBus bus = c.newMessageBus()) {
      assertThat(bus.queueOptions("test_execution").isDurable()).isTrue();
      assertThat(bus.queueOptions("other").isDurable()).isFalse();
    }
  }

  @Test
  void historiesAreKeptWhenTheirMaxAgeIsSet() {
    AgentBusConfig c = config(Map.of(
        "agentbus.history.broadcasts.max-age", "24h",
        "agentbus.history.broadcasts.max-messages", "100000",
        "agentbus.history.broadcasts.replicas", "3",
        "agentbus.history.broadcasts.stream-name", "audit",
        "agentbus.history.dead-letters.max-age", "30d"));
    HistoryOptions b = c.broadcastHistory().orElseThrow();
    assertThat(b.maxAge()).isEqualTo(Duration.ofHours(24));
    assertThat(b.maxMessages()).isEqualTo(100_000);
    assertThat(b.replicas()).isEqualTo(3);
    assertThat(b.streamName()).isEqualTo("audit");
    HistoryOptions d = c.deadLetterHistory().orElseThrow();
    assertThat(d.maxAge()).isEqualTo(Duration.ofDays(30));
    assertThat(d.maxMessages()).isEqualTo(-1);
  }

  @Test
  void invalidValuesNameKeyValueAndSource() {
    assertThatThrownBy(() -> config(Map.of(
        "agentbus.queue.q.durable", "true", "agentbus.queue.q.max-deliveries", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid number '0' for agentbus.queue.q.max-deliveries (from system "
            + "properties): must be at least 1");
    assertThatThrownBy(() -> config(Map.of(
        "agentbus.queue.q.durable", "true", "agentbus.queue.q.backoff", "1s,soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'soon'")
        .hasMessageContaining("agentbus.queue.q.backoff (from system properties)");
    assertThatThrownBy(() -> config(Map.of("agentbus.queue.q.durable", "yes")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'yes'")
        .hasMessageContaining("agentbus.queue.q.durable")
        .hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> config(Map.of(
        "agentbus.queue.q.durable", "true", "agentbus.queue.q.stream-name", "a.b")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Invalid value 'a.b' for agentbus.queue.q.stream-name")
        .hasMessageContaining("use letters, digits");
    assertThatThrownBy(() -> config(Map.of("agentbus.history.broadcasts.max-age", "0s")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.history.broadcasts.max-age")
        .hasMessageContaining("must be greater than zero");
  }

  @Test
  void misspeltOrMisplacedKeysFailInsteadOfLeavingAQueueAtMostOnce() {
    assertThatThrownBy(() -> config(Map.of("agentbus.queue.q.max-delivery", "5")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.queue.q.max-delivery")
        .hasMessageContaining("'max-delivery' is no queue option")
        .hasMessageContaining("max-deliveries");
    assertThatThrownBy(() -> config(Map.of("agentbus.queue.durable", "true")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.queue.<name>.<option>");
    assertThatThrownBy(() -> config(Map.of("agentbus.queues.billing.durable", "true")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.queues.default.<option>");
    assertThatThrownBy(() -> config(Map.of("agentbus.queues.default.stream-name", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no option of the default queue");
    assertThatThrownBy(() -> config(Map.of("agentbus.history.broadcast.max-age", "1h")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.history.broadcasts.<option>");
    assertThatThrownBy(() -> config(Map.of("agentbus.history.broadcasts.keep", "1h")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'keep' is no history option");
  }

  @Test
  void optionsThatWouldChangeNothingFail() {
    assertThatThrownBy(() -> config(Map.of("agentbus.queue.q.max-deliveries", "3")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("queue 'q' is not durable")
        .hasMessageContaining("agentbus.queue.q.durable=true");
    assertThatThrownBy(() -> config(Map.of("agentbus.queues.default.max-deliveries", "3")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no queue is durable");
    assertThatThrownBy(() -> config(Map.of("agentbus.history.broadcasts.replicas", "3")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.history.broadcasts.max-age is not");
  }

  @Test
  void theDocumentedDefaultsAreTheBuildersDefaults() {
    // every default written in QueueKey, set explicitly, gives the options nothing set gives
    StringBuilder explicit = new StringBuilder();
    Map<String, String> props = new java.util.HashMap<>();
    props.put("agentbus.queues.default.durable", "true");
    for (QueueKey k : QueueKey.values()) {
      if (k != QueueKey.DURABLE && k.defaultValue().isPresent()) {
        props.put(k.defaultKey(), k.defaultValue().get());
        explicit.append(k.option()).append(' ');
      }
    }
    assertThat(explicit.toString().split(" ")).hasSize(QueueKey.values().length - 2);
    assertThat(config(props).defaultQueueOptions())
        .hasToString(QueueOptions.durable().build().toString());
    assertThat(QueueKey.DURABLE.defaultValue()).contains("false");
    assertThat(List.of(QueueKey.values())).allSatisfy(k -> assertThat(QueueKey.forOption(
        k.option())).contains(k));
  }
}
