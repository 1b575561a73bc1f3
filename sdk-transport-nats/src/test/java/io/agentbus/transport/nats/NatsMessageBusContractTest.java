package io.agentbus.transport.nats;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.MessageBusContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link MessageBusContract} on NATS: each bus has its own connection to one real server. */
class NatsMessageBusContractTest extends MessageBusContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("bus-contract").build());
  }

  @Override
  protected Codec codec() {
    return JsonCodec.create();
  }
}
