package io.agentbus.opentelemetry;

import io.agentbus.spi.Transport;
import io.agentbus.transport.inmemory.InMemoryServer;
import java.util.function.Supplier;

/** The traced Phase 1.1 flow on the in-memory transport, each agent on a transport of its own. */
class InMemoryTracingTest extends TracingFlowContract {
  private final InMemoryServer server = InMemoryServer.create();

  @Override
  Supplier<Transport> transports() {
    return server::connect;
  }

  @Override
  String messagingSystem() {
    return "inmemory";
  }
}
