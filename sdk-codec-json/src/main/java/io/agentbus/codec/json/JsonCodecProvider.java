package io.agentbus.codec.json;

import io.agentbus.config.Settings;
import io.agentbus.spi.Codec;
import io.agentbus.spi.CodecProvider;

/**
 * The {@code json} codec for {@code agentbus.codec=json}, registered in {@code
 * META-INF/services}: {@link JsonCodec#create()}, the seed's wire format, with its default limits.
 * It reads no settings.
 *
 * <p>Stateless and thread-safe; public only for {@link java.util.ServiceLoader}.
 */
public final class JsonCodecProvider implements CodecProvider {
  /** The name configuration selects this codec by. */
  public static final String NAME = "json";

  /** For {@link java.util.ServiceLoader}. */
  public JsonCodecProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /** A JSON codec with the default limits; {@code settings} are not read. */
  @Override
  public Codec create(Settings settings) {
    return JsonCodec.create();
  }
}
