package io.agentbus.transport.nats;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.CodecNegotiationContract;
import io.agentbus.test.nats.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A JSON agent, a Protobuf agent and a raw seed-format publisher on one real NATS server, each
 * on its own connection, understand each other; requests are answered in the requester's codec.
 */
class NatsCodecNegotiationTest extends CodecNegotiationContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected Transport newTransport() {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("codec-negotiation").build());
  }

  @Override
  protected Codec jsonCodec() {
    return JsonCodec.create();
  }

  @Override
  protected Codec otherCodec() {
    return ProtobufCodec.create();
  }
}
