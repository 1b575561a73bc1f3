package io.agentbus.codec.protobuf;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.test.CodecNegotiationContract;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;

/** JSON, Protobuf and header-less seed JSON agents on one in-memory server. */
class InMemoryCodecNegotiationTest extends CodecNegotiationContract {
  private final InMemoryServer server = InMemoryServer.create();

  @Override
  protected Transport newTransport() {
    return InMemoryTransport.connectTo(server);
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
