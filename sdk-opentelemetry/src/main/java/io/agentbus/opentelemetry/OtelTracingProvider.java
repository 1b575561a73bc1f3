package io.agentbus.opentelemetry;

import io.agentbus.config.Settings;
import io.agentbus.spi.BusExtension;
import io.agentbus.spi.BusExtensionProvider;

/**
 * Registers {@code agentbus.tracing=otel}: {@link AgentBusTracing} on {@link
 * io.opentelemetry.api.GlobalOpenTelemetry}, with {@code messaging.system} set to the configured
 * transport ({@code agentbus.transport}). For {@link java.util.ServiceLoader} only.
 */
public final class OtelTracingProvider implements BusExtensionProvider {
  /** For {@link java.util.ServiceLoader}. */
  public OtelTracingProvider() {}

  @Override
  public String kind() {
    return "tracing";
  }

  @Override
  public String name() {
    return "otel";
  }

  @Override
  public BusExtension create(Settings settings) {
    return AgentBusTracing.builder(io.opentelemetry.api.GlobalOpenTelemetry.get())
        .messagingSystem(settings.string("agentbus.transport", "AGENTBUS_TRANSPORT", "inmemory"))
        .build();
  }
}
