package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Codec;
import org.jspecify.annotations.Nullable;

/** Binds {@link Codec} to the seed's JSON wire format ({@link JsonCodec}). */
public final class JsonCodecModule extends AbstractModule {

  @Provides
  @Singleton
  Codec codec() {
    return JsonCodec.create();
  }

  // equal instances are installed once, so AgentBusModule and a user may both install it
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JsonCodecModule;
  }

  @Override
  public int hashCode() {
    return JsonCodecModule.class.hashCode();
  }
}
