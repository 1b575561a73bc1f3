package io.agentbus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.Conditions;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The durable-queue gauges read what the store holds after a known sequence. */
class QueueStateGaugesTest {
  private final InMemoryServer server = InMemoryServer.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MessageBus bus = MessageBus.builder().transport(server.connect())
      .codec(JsonCodec.create())
      .queue("work", QueueOptions.durable().ackWait(Duration.ofMinutes(1))
          .maxAckPending(2).build())
      .addExtension(AgentBusMetrics.builder(registry).queues("work", "fast").build())
      .build();

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void depthWaitingAndPendingAcksFollowPublishesAndWorkers() throws Exception {
    assertThat(gauge("agentbus.queue.depth", "fast")).as("at-most-once keeps nothing").isNaN();
    var coordinator = bus.endpoint("coordinator");
    for (int i = 1; i <= 5; i++) {
      coordinator.publishToQueue("work", MessageType.TASK_ASSIGNMENT, Map.of("n", i));
    }
    assertThat(List.of(gauge("agentbus.queue.depth", "work"),
        gauge("agentbus.queue.waiting", "work"), gauge("agentbus.queue.pending.acks", "work")))
        .as("no worker yet").containsExactly(5.0, 0.0, 0.0);

    // two workers each take one item and hold it
    CountDownLatch taken = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    bus.createWorkQueue("work", d -> {
      taken.countDown();
      assertThat(release.await(1, TimeUnit.MINUTES)).isTrue();
    }, 2);
    assertThat(taken.await(1, TimeUnit.MINUTES)).isTrue();
    awaitGauges(5, 3, 2, 0);

    release.countDown();
    awaitGauges(0, 0, 0, 0);
    assertThat(registry.get("agentbus.queue.depth").gauge().getId().getBaseUnit())
        .isEqualTo("items");
  }

  private void awaitGauges(double depth, double waiting, double pending, double redelivered)
      throws InterruptedException {
    List<Double> expected = List.of(depth, waiting, pending, redelivered);
    Conditions.await(() -> expected.equals(List.of(gauge("agentbus.queue.depth", "work"),
            gauge("agentbus.queue.waiting", "work"), gauge("agentbus.queue.pending.acks", "work"),
            gauge("agentbus.queue.pending.redelivered", "work"))),
        Duration.ofSeconds(20), "queue gauges " + expected);
  }

  private double gauge(String name, String queue) {
    Gauge g = registry.find(name).tag("queue", queue).gauge();
    assertThat(g).as(name + " for " + queue).isNotNull();
    return g.value();
  }
}
