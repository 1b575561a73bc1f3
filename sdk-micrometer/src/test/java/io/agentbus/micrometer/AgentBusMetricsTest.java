package io.agentbus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.retry.RetryPolicy;
import io.agentbus.agent.retry.RetryingRequests;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Counts, timers and tags after a known sequence of messages, read from a SimpleMeterRegistry. */
@ExtendWith(VirtualTimeExtension.class)
class AgentBusMetricsTest {
  private final InMemoryServer server = InMemoryServer.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aKnownSequenceOfMessagesIsCountedByTypeAndOutcome() throws Exception {
    MessageBus bus = MessageBus.builder().transport(server.connect()).codec(JsonCodec.create())
        .addExtension(AgentBusMetrics.builder(registry).queues("work")
            .tags(Tags.of("application", "test")).build())
        .build();
    CountDownLatch sentinel = new CountDownLatch(1);
    bus.subscribeToAgentMessages("architect-001",
        d -> d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    bus.subscribeToAgentMessages("slow", d -> { /* never answers */ });
    bus.subscribe(bus.subjects().allBroadcasts(), d -> {
      if (d.message().messageType().equals(MessageType.TASK_FAILED)) {
        throw new IllegalStateException("cannot handle it");
      }
      if (d.message().messageType().equals(MessageType.HEARTBEAT)) {
        sentinel.countDown();
      }
    });
    bus.createWorkQueue("work", d -> { }, 1);

    var parser = bus.endpoint("parser-dev-001");
    for (int i = 0; i < 2; i++) {
      AgentMessage answer = parser.request("architect-001", MessageType.RESOURCE_REQUEST,
          Map.of("resource", "task_model"), Duration.ofSeconds(10));
      assertThat(answer.content()).containsEntry("status", "ready");
    }
    assertThatThrownBy(() -> parser.request("nobody", MessageType.RESOURCE_REQUEST, Map.of(),
        Duration.ofSeconds(5))).isInstanceOf(NoRespondersException.class);
    assertThatThrownBy(() -> parser.request("slow", MessageType.RESOURCE_REQUEST, Map.of(),
        Duration.ofMillis(50))).isInstanceOf(RequestTimeoutException.class);
    for (int i = 0; i < 3; i++) {
      parser.broadcast(MessageType.TASK_COMPLETE, Map.of("task", i));
    }
    parser.broadcast(MessageType.of("invented_one"), Map.of());
    parser.broadcast(MessageType.of("invented_two"), Map.of());
    parser.broadcast(MessageType.TASK_FAILED, Map.of());
    parser.publishToQueue("work", MessageType.TASK_ASSIGNMENT, Map.of("n", 1));
    parser.publishToQueue("work", MessageType.TASK_ASSIGNMENT, Map.of("n", 2));
    parser.broadcast(MessageType.HEARTBEAT, Map.of());
    assertThat(sentinel.await(10, TimeUnit.SECONDS)).isTrue();
    bus.drain(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS); // every handler has returned

    assertThat(counter("agentbus.messages.published", "message.type", "task_complete"))
        .isEqualTo(3);
    assertThat(counter("agentbus.messages.published", "message.type", "resource_request"))
        .isEqualTo(4);
    assertThat(counter("agentbus.messages.published", "message.type", "resource_response"))
        .isEqualTo(2);
    // unknown types fold into one tag value
    assertThat(counter("agentbus.messages.published", "message.type", "other")).isEqualTo(2);
    assertThat(registry.find("agentbus.messages.published").tag("message.type", "invented_one")
        .counter()).isNull();
    assertThat(counter("agentbus.messages.received", "message.type", "task_complete"))
        .isEqualTo(3);
    assertThat(counter("agentbus.messages.received", "message.type", "other")).isEqualTo(2);
    assertThat(counter("agentbus.messages.received", "message.type", "resource_request"))
        .isEqualTo(3); // two answered, one never answered

    assertThat(registry.get("agentbus.handler.duration").tags("message.type", "task_complete",
        "outcome", "success").timer().count()).isEqualTo(3);
    assertThat(registry.get("agentbus.handler.duration").tags("message.type", "task_failed",
        "outcome", "failure", "exception", "IllegalStateException").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("agentbus.messages.dead.lettered").tag("reason", "handler")
        .counter().count()).isEqualTo(1);

    assertThat(registry.get("agentbus.request.duration").tags("message.type",
        "resource_request", "outcome", "success").timer().count()).isEqualTo(2);
    assertThat(registry.get("agentbus.request.duration").tags("outcome", "timeout").timer()
        .count()).isEqualTo(1);
    assertThat(registry.get("agentbus.request.duration").tags("outcome", "no_responders")
        .timer().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.request.timeouts").counter().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.request.no.responders").counter().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.request.duration").tags("message.type",
        "resource_request", "outcome", "success").timer().totalTime(TimeUnit.NANOSECONDS))
        .isPositive();

    assertThat(registry.get("agentbus.bus.messages").tag("event", "handler_failed")
        .functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.bus.messages").tag("event", "dead_lettered")
        .functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.queue.messages").tags("queue", "work", "event", "handled")
        .functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("agentbus.queue.messages").tags("queue", "work", "event",
        "published").functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("agentbus.transport.reconnects").functionCounter().count()).isZero();
    assertThat(registry.get("agentbus.messages.published").tag("application", "test")
        .counters()).isNotEmpty();
    // the bus is drained and closed
    assertThat(registry.get("agentbus.transport.connected").gauge().value()).isZero();
  }

  @Test
  void retriedRequestsAreCountedByWhatTheyDid(VirtualScheduler time) throws Exception {
    MessageBus bus = MessageBus.builder()
        .transport(InMemoryTransport.builder().scheduler(time).build()).scheduler(time)
        .codec(JsonCodec.create()).addExtension(AgentBusMetrics.create(registry)).build();
    RetryingRequests requests = RetryingRequests.builder(bus).build();
    RetryPolicy twice = RetryPolicy.builder().maxAttempts(2).build();
    AgentMessage question = AgentMessage.builder().fromAgent("parser-dev-001")
        .toAgent("architect-001").messageType(MessageType.RESOURCE_REQUEST).content(Map.of())
        .timestamp(time.now()).build();
    // nobody there, twice: the fallback answers
    CompletableFuture<AgentMessage> cached = requests.request(question, Duration.ofSeconds(1),
        twice, error -> question);
    Conditions.await(() -> requests.stats().retries() == 1, Duration.ofSeconds(30),
        "the first retry on the clock");
    time.advance(Duration.ofMillis(200));
    cached.get(30, TimeUnit.SECONDS);
    // the architect arrives between attempts 1 and 2
    CompletableFuture<AgentMessage> answered = requests.request(question, Duration.ofSeconds(1),
        twice, null);
    Conditions.await(() -> requests.stats().retries() == 2, Duration.ofSeconds(30),
        "the second retry on the clock");
    bus.subscribeToAgentMessages("architect-001", d -> d.reply(MessageType.RESOURCE_RESPONSE,
        Map.of()));
    time.advance(Duration.ofMillis(200));
    answered.get(30, TimeUnit.SECONDS);

    assertThat(retries("event", "retried")).isEqualTo(2);
    assertThat(retries("event", "succeeded")).isEqualTo(1);
    assertThat(retries("event", "fell_back")).isEqualTo(1);
    assertThat(registry.get("agentbus.request.gave.up").tag("cause", "no_responders")
        .functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("agentbus.request.gave.up").tag("cause", "timeout")
        .functionCounter().count()).isZero();
    bus.close();
  }

  private double retries(String tag, String value) {
    return registry.get("agentbus.request.retries").tag(tag, value).functionCounter().count();
  }

  @Test
  void agentbusMetricsMicrometerSwitchesItOnInTheGlobalRegistry() {
    Metrics.addRegistry(registry);
    try {
      AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
          "agentbus.metrics", "micrometer", "agentbus.queue.work.durable", "false"));
      assertThat(config.extensions()).containsExactly("metrics=micrometer");
      try (MessageBus bus = config.newMessageBus()) {
        assertThat(registry.get("agentbus.transport.connected").gauge().value()).isEqualTo(1);
        bus.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of());
        assertThat(counter("agentbus.messages.published", "message.type", "status_update"))
            .isEqualTo(1);
        assertThat(registry.find("agentbus.queue.messages").tag("queue", "work")
            .functionCounters()).isNotEmpty();
      }
    } finally {
      Metrics.removeRegistry(registry);
      Metrics.globalRegistry.clear();
    }
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }
}
