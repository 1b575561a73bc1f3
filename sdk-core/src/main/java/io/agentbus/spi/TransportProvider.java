package io.agentbus.spi;

import io.agentbus.config.Settings;

/**
 * Creates a {@link Transport} chosen by name in configuration ({@code agentbus.transport=nats}).
 * A transport module registers one in {@code META-INF/services/io.agentbus.spi.TransportProvider},
 * so an application gets exactly the transports whose modules it puts on its classpath, as JDBC
 * drivers are found. {@link Providers#transport} finds them.
 */
public interface TransportProvider {

  /** The name configuration selects this transport by: lower case, such as {@code nats}. */
  String name();

  /**
   * Creates (and, for a networked transport, connects) the transport from {@code settings}. The
   * caller owns the result and closes it.
   *
   * @throws io.agentbus.ConfigurationException if a setting is missing, unknown or invalid
   * @throws io.agentbus.TransportException if the transport cannot start (a server unreachable)
   */
  Transport create(Settings settings);
}
