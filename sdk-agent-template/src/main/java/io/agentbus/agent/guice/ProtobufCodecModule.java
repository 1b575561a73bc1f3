package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Codec} to {@link ProtobufCodec}. {@link AgentBusModule} still registers JSON as an
 * additional codec on the bus, so the seed's header-less JSON messages decode.
 */
public final class ProtobufCodecModule extends AbstractModule {

  @Provides
  @Singleton
  Codec codec() {
    return ProtobufCodec.create();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ProtobufCodecModule;
  }

  @Override
  public int hashCode() {
    return ProtobufCodecModule.class.hashCode();
  }
}
