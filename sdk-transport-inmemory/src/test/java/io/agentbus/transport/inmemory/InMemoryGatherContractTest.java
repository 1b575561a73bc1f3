package io.agentbus.transport.inmemory;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.GatherContract;

/** The scatter-gather contract on the in-memory transport: every bus joins one server. */
class InMemoryGatherContractTest extends GatherContract {
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
