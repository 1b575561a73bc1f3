package io.agentbus.spi;

import io.agentbus.config.Settings;

/**
 * Makes a {@link BusExtension} from configuration. Registered for {@link java.util.ServiceLoader}
 * in {@code META-INF/services/io.agentbus.spi.BusExtensionProvider} and chosen by a setting named
 * after its {@link #kind()} whose value is its {@link #name()}: {@code agentbus.tracing=otel}
 * selects the provider of kind {@code tracing} named {@code otel}.
 */
public interface BusExtensionProvider {

  /** What it provides, the name of the setting that selects it: {@code tracing}, {@code metrics}. */
  String kind();

  /** The value of that setting that selects it, e.g. {@code otel} or {@code micrometer}. */
  String name();

  /**
   * A new extension configured from {@code settings}.
   *
   * @throws io.agentbus.ConfigurationException if one of its settings is invalid
   */
  BusExtension create(Settings settings);
}
