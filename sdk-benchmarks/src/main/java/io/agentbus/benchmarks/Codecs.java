package io.agentbus.benchmarks;

import io.agentbus.codec.json.JsonCodec;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;

/** The codecs by the names the {@code codec} and {@code payload} benchmark parameters use. */
final class Codecs {
  static final String JSON = "json";
  static final String PROTOBUF = "protobuf";

  private Codecs() {}

  /**
   * @throws IllegalArgumentException naming the valid names, for any other
   */
  static Codec named(String name) {
    switch (name) {
      case JSON:
        return JsonCodec.create();
      case PROTOBUF:
        return ProtobufCodec.create();
      default:
        throw new IllegalArgumentException("Unknown codec '" + name + "'; expected " + JSON
            + " or " + PROTOBUF);
    }
  }
}
