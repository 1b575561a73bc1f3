package io.agentbus.opentelemetry;

import io.agentbus.spi.Transport;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.util.function.Supplier;
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
}
