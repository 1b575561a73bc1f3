package io.agentbus.transport.inmemory;

import io.agentbus.config.Settings;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportProvider;

/**
 * The {@code inmemory} transport for {@code agentbus.transport=inmemory}, registered in {@code
 * META-INF/services}: each {@link #create} gives an {@link InMemoryTransport} on a new private
 * {@link InMemoryServer}, so the agents of one bus talk to each other and to nobody else. It reads
 * no settings. Code that wants several buses on one server, or a virtual clock, builds the
 * transport itself with {@link InMemoryTransport#builder()}.
 *
 * <p>Stateless and thread-safe; public only for {@link java.util.ServiceLoader}.
 */
public final class InMemoryTransportProvider implements TransportProvider {
  /** The name configuration selects this transport by. */
  public static final String NAME = "inmemory";

  /** For {@link java.util.ServiceLoader}. */
  public InMemoryTransportProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /** A transport on a new private server; {@code settings} are not read. */
  @Override
  public Transport create(Settings settings) {
    return InMemoryTransport.create();
  }
}
