package io.agentbus.interop;

import io.agentbus.MessageBus;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;

/** {@link DiscoveryContract} on the in-memory transport: two buses on one in-memory server. */
class DiscoveryInMemoryTest extends DiscoveryContract {
  private final InMemoryServer server = InMemoryServer.create();

  @Override
  protected MessageBus newBus() {
    return MessageBus.builder().transport(InMemoryTransport.connectTo(server))
        .codec(JsonCodec.create()).build();
  }
}
