package io.agentbus.transport.inmemory;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.MessageBusContract;

/** The MessageBus contract on the in-memory transport: every bus joins one in-memory server. */
class InMemoryMessageBusContractTest extends MessageBusContract {
  private final InMemoryServer server = InMemoryServer.create();
  private final Codec codec = JsonCodec.create();

  @Override
  protected Transport newTransport() {
    return InMemoryTransport.connectTo(server);
  }

  @Override
  protected Codec codec() {
    return codec;
  }
}
