package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.spi.Transport;
import io.agentbus.time.Scheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Transport} to an {@link InMemoryTransport}: every agent of the injector talks
 * through one in-process transport, with no server. Its request and drain timeouts run on the
 * bound {@link Scheduler}. The transport is created when first needed and is owned by the {@link
 * io.agentbus.MessageBus} built on it.
 */
public final class InMemoryTransportModule extends AbstractModule {

  @Provides
  @Singleton
  Transport transport(Scheduler scheduler) {
    // request and drain timeouts follow the injected clock, virtual time included
    return InMemoryTransport.builder().scheduler(scheduler).build();
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
