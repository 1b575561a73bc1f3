package io.agentbus.transport.nats;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.GatherContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link GatherContract} on NATS: each bus has its own connection to one real server. */
class NatsGatherContractTest extends GatherContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("gather-contract").build());
  }

  @Override
  protected Codec codec() {
    return JsonCodec.create();
  }
}
