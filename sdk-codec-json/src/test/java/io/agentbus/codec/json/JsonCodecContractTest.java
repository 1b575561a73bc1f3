package io.agentbus.codec.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import io.agentbus.test.CodecContract;
import java.io.IOException;
import java.io.UncheckedIOException;

class JsonCodecContractTest extends CodecContract {
  private static final JsonCodec CODEC = JsonCodec.create();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  protected Codec codec() {
    return CODEC;
  }

  @Override
  protected byte[] encodingWithout(AgentMessage message, String field) {
    try {
      ObjectNode tree = (ObjectNode) MAPPER.readTree(CODEC.encode(message));
      if (tree.remove(field) == null) {
        throw new IllegalArgumentException("the encoding has no field " + field);
      }
      return MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
