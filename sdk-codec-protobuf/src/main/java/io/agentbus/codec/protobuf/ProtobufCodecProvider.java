package io.agentbus.codec.protobuf;

import io.agentbus.config.Settings;
import io.agentbus.spi.Codec;
import io.agentbus.spi.CodecProvider;

/**
 * The {@code protobuf} codec for {@code agentbus.codec=protobuf}, registered in {@code
 * META-INF/services}: {@link ProtobufCodec#create()}. It reads no settings.
 *
 * <p>Stateless and thread-safe; public only for {@link java.util.ServiceLoader}.
 */
public final class ProtobufCodecProvider implements CodecProvider {
  /** The name configuration selects this codec by. */
  public static final String NAME = "protobuf";

  /** For {@link java.util.ServiceLoader}. */
  public ProtobufCodecProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /** A Protobuf codec; {@code settings} are not read. */
  @Override
  public Codec create(Settings settings) {
    return ProtobufCodec.create();
  }
}
