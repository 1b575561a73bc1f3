package io.agentbus.transport.nats;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.DurableQueueContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The durable-queue contract on JetStream, against a real nats-server started with {@code -js}. */
class NatsDurableQueueTest extends DurableQueueContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static final Codec JSON = JsonCodec.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("durable-contract").build());
  }

  @Override
  protected Codec codec() {
    return JSON;
  }
}
