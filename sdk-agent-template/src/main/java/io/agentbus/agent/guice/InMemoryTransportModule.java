package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.spi.Transport;
import io.agentbus.transport.inmemory.InMemoryTransport;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Transport} to an {@link InMemoryTransport}: every agent of the injector talks
 * through one in-process transport, with no server. The transport is created when first needed
 * and is owned by the {@link io.agentbus.MessageBus} built on it.
 */
public final class InMemoryTransportModule extends AbstractModule {

  @Provides
  @Singleton
  Transport transport() {
    return InMemoryTransport.create();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof InMemoryTransportModule;
  }

  @Override
  public int hashCode() {
    return InMemoryTransportModule.class.hashCode();
  }
}
