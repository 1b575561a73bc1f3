package io.agentbus.transport.inmemory;

import io.agentbus.spi.Transport;
import io.agentbus.test.TransportContract;

/** The in-memory transport against the transport contract: every transport shares one server. */
class InMemoryTransportContractTest extends TransportContract {
  private final InMemoryServer server = InMemoryServer.create();

  @Override
  protected Transport newTransport() {
    return server.connect();
  }
}
