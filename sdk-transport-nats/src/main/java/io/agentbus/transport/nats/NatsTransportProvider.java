package io.agentbus.transport.nats;

import io.agentbus.config.Settings;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportProvider;

/**
 * The {@link TransportProvider} named {@code nats}: {@code agentbus.transport=nats} selects it
 * through {@link io.agentbus.spi.Providers#transport}. It reads the {@code agentbus.nats.*}
 * settings with {@link NatsConfigLoader} and connects a {@link NatsTransport}. Registered in
 * {@code META-INF/services/io.agentbus.spi.TransportProvider}; stateless and thread-safe.
 */
public final class NatsTransportProvider implements TransportProvider {
  /** The name configuration selects this transport by. */
  public static final String NAME = "nats";

  /** For {@link java.util.ServiceLoader}. */
  public NatsTransportProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Connects a {@link NatsTransport} configured by {@code settings}; the caller closes it.
   *
   * @throws io.agentbus.ConfigurationException if a NATS setting is unknown or invalid
   * @throws io.agentbus.TransportException if no server could be reached or the server refused
   *     the credentials
   */
  @Override
  public Transport create(Settings settings) {
    return NatsTransport.connect(NatsConfigLoader.load(settings));
  }
}
