package io.agentbus.transport.inmemory;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.DurableQueueContract;

/** The durable-queue contract on the in-memory transport: the same classes NATS runs. */
class InMemoryDurableQueueTest extends DurableQueueContract {
  private static final Codec JSON = JsonCodec.create();

  private final InMemoryServer server = InMemoryServer.create();

  @Override
  protected Transport newTransport() {
    return InMemoryTransport.connectTo(server);
  }

  @Override
  protected Codec codec() {
    return JSON;
  }
}
