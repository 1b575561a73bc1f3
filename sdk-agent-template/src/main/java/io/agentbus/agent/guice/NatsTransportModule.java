package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.ConfigurationException;
import io.agentbus.spi.Transport;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Transport} to the NATS transport. PLACEHOLDER until {@code sdk-transport-nats}
 * lands: provisioning fails with a {@link ConfigurationException} saying so.
 */
public final class NatsTransportModule extends AbstractModule {

  @Provides
  @Singleton
  Transport transport() {
    throw new ConfigurationException("agentbus.transport=nats: the NATS transport is not wired "
        + "into this build yet (NatsTransportModule is a placeholder)");
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NatsTransportModule;
  }

  @Override
  public int hashCode() {
    return NatsTransportModule.class.hashCode();
  }
}
