package io.agentbus.transport.nats;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.SignedMessagesContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SignedMessagesContract} on a real nats-server: each bus its own connection. */
class NatsSignedMessagesTest extends SignedMessagesContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("signed-contract").build());
  }

  @Override
  protected Codec codec() {
    return JsonCodec.create();
  }
}
