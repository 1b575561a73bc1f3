package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import io.agentbus.test.CodecContract;

class ProtobufCodecContractTest extends CodecContract {
  private static final ProtobufCodec CODEC = ProtobufCodec.create();

  @Override
  protected Codec codec() {
    return CODEC;
  }

  /** Built with protoc's generated classes, as a foreign peer would send it. */
  @Override
  protected byte[] encodingWithout(AgentMessage message, String field) {
    io.agentbus.codec.protobuf.v1.AgentMessage.Builder b =
        GeneratedMapping.toGenerated(message).toBuilder();
    switch (field) {
      case "from_agent":
        b.clearFromAgent();
        break;
      case "message_type":
        b.clearMessageType();
        break;
      default:
        throw new IllegalArgumentException("no required field " + field);
    }
    return b.build().toByteArray();
  }

  /** A protobuf message may end after any field, so a cut there is a shorter valid message. */
  @Override
  protected boolean rejectsEveryTruncation() {
    return false;
  }
}
