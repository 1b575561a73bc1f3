package io.agentbus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Agents alive and dead, and the monitor's state changes, in virtual time. */
@ExtendWith(VirtualTimeExtension.class)
class MonitorMeterBinderTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();

  @Test
  void agentsByLivenessAndStateChangesAreMeasured(VirtualScheduler time) throws Exception {
    try (MessageBus bus = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).scheduler(time).build();
        OrchestratorMonitor monitor = OrchestratorMonitor.builder(bus).scheduler(time)
            .deadAfter(Duration.ofSeconds(90)).build().start()) {
      new MonitorMeterBinder(monitor).bindTo(registry);
      monitor.addListener(events::add); // after the binder's: told after it counted

      bus.endpoint("worker-1").broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));
      bus.endpoint("worker-2").broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));
      assertThat(next().kind()).isEqualTo(AgentEvent.Kind.JOINED);
      assertThat(next().kind()).isEqualTo(AgentEvent.Kind.JOINED);
      assertThat(gauge("alive")).isEqualTo(2);

      time.advance(Duration.ofSeconds(60));
      bus.endpoint("worker-2").broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));
      // delivery is asynchronous
      Conditions.await(() -> monitor.observedMessages() >= 3, Duration.ofSeconds(10),
          "the monitor observed 3 messages");
      time.advance(Duration.ofSeconds(30)); // worker-1 silent for 90 s
      assertThat(next()).extracting(AgentEvent::kind, AgentEvent::agentId)
          .containsExactly(AgentEvent.Kind.DEAD, "worker-1");

      assertThat(gauge("alive")).isEqualTo(1);
      assertThat(gauge("dead")).isEqualTo(1);
      assertThat(gauge("offline")).isZero();
      assertThat(registry.get("agentbus.agent.events").tag("event", "joined").counter().count())
          .isEqualTo(2);
      assertThat(registry.get("agentbus.agent.events").tag("event", "dead").counter().count())
          .isEqualTo(1);
    }
  }

  private AgentEvent next() throws InterruptedException {
    AgentEvent e = events.poll(10, TimeUnit.SECONDS);
    assertThat(e).as("a monitor event within 10 s").isNotNull();
    return e;
  }

  private double gauge(String liveness) {
    return registry.get("agentbus.agents").tag("liveness", liveness).gauge().value();
  }
}
