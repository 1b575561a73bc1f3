package io.agentbus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Transport;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The traced Phase 1.1 flow on a real nats-server, each agent on a connection of its own. */
class NatsTracingTest extends TracingFlowContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  Supplier<Transport> transports() {
    return () -> NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url()).build());
  }

  @Override
  String messagingSystem() {
    return "nats";
  }

  /** Seen by a plain jnats client: no headers at all with tracing off, a traceparent with it on. */
  @Test
  void onTheWireAMessageHasNoHeadersWithTracingOffAndATraceparentWithItOn() throws Exception {
    try (Connection watcher = Nats.connect(nats.url())) {
      Subscription sub = watcher.subscribe("orchestrator.broadcast.status_update");
      watcher.flush(Duration.ofSeconds(5));
      try (MessageBus plain = MessageBus.builder().transport(transports().get())
          .codec(JsonCodec.create()).build()) {
        plain.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "plain"));
        plain.flush(Duration.ofSeconds(5));
      }
      Spans spans = new Spans();
      try (MessageBus traced = MessageBus.builder().transport(transports().get())
          .codec(JsonCodec.create()).addExtension(AgentBusTracing.create(spans.sdk)).build()) {
        traced.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "traced"));
        traced.flush(Duration.ofSeconds(5));
      }
      Message off = sub.nextMessage(Duration.ofSeconds(5));
      Message on = sub.nextMessage(Duration.ofSeconds(5));
      assertThat(off).isNotNull();
      assertThat(off.hasHeaders()).as("headers with tracing off").isFalse();
      assertThat(on).isNotNull();
      assertThat(on.getHeaders().getFirst("traceparent"))
          .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    }
  }
}
