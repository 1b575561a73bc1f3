package io.agentbus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentbus.MessageBus;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The connection gauge and the reconnect counter follow a real nats-server going away and back. */
class NatsConnectionMetricsTest {
  @RegisterExtension
  final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  void connectionStateAndReconnectsAreMeasured() throws Exception {
    NatsServer server = nats.server();
    assumeTrue(server.canRestart(), "this server cannot be restarted: " + server.kind());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BlockingQueue<ConnectionEvent.Kind> events = new LinkedBlockingQueue<>();
    try (MessageBus bus = MessageBus.builder()
        .transport(NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
            .build()))
        .codec(JsonCodec.create())
        .addExtension(AgentBusMetrics.create(registry))
        .build()) {
      bus.addConnectionListener(e -> events.add(e.kind())); // told after the binder's listener
      assertThat(gauge(registry)).isEqualTo(1);

      server.stop();
      awaitEvent(events, ConnectionEvent.Kind.DISCONNECTED);
      assertThat(gauge(registry)).isZero();

      server.start();
      awaitEvent(events, ConnectionEvent.Kind.RECONNECTED);
      assertThat(gauge(registry)).isEqualTo(1);
      assertThat(registry.get("agentbus.transport.reconnects").functionCounter().count())
          .isEqualTo(1);
    }
  }

  private static double gauge(SimpleMeterRegistry registry) {
    return registry.get("agentbus.transport.connected").gauge().value();
  }

  private static void awaitEvent(BlockingQueue<ConnectionEvent.Kind> events,
      ConnectionEvent.Kind kind) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      ConnectionEvent.Kind k = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(k).as("a %s event within 30 s", kind).isNotNull();
      if (k == kind) {
        return;
      }
    }
  }
}
