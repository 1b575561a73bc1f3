package io.agentbus.transport.inmemory;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.SignedMessagesContract;

/** {@link SignedMessagesContract} in memory: every transport a connection to one server. */
class InMemorySignedMessagesTest extends SignedMessagesContract {
  private final InMemoryServer server = InMemoryServer.create();

  @Override
  protected Transport newTransport() {
    return InMemoryTransport.connectTo(server);
  }

  @Override
  protected Codec codec() {
    return JsonCodec.create();
  }
}
