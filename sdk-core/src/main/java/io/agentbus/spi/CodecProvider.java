package io.agentbus.spi;

import io.agentbus.config.Settings;

/**
 * Creates a {@link Codec} chosen by name in configuration ({@code agentbus.codec=json}). A codec
 * module registers one in {@code META-INF/services/io.agentbus.spi.CodecProvider}; {@link
 * Providers#codec} finds them.
 */
public interface CodecProvider {

  /** The name configuration selects this codec by: lower case, such as {@code json}. */
  String name();

  /**
   * Creates the codec from {@code settings}.
   *
   * @throws io.agentbus.ConfigurationException if a setting is invalid
   */
  Codec create(Settings settings);
}
