package io.agentbus.transport.nats;

import io.agentbus.spi.Transport;
import io.agentbus.test.TransportContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole {@link TransportContract}, the same suite the in-memory transport runs, against a real
 * nats-server: each {@link #newTransport()} is a separate connection, as separate agents'
 * processes would have.
 */
class NatsTransportContractTest extends TransportContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("transport-contract").build());
  }
}
