package io.agentbus.opentelemetry;

import io.agentbus.config.Settings;
import io.agentbus.spi.BusExtension;
import io.agentbus.spi.BusExtensionProvider;

/**
 * Registers {@code agentbus.tracing=otel}: {@link AgentBusTracing} on {@link
 * io.opentelemetry.api.GlobalOpenTelemetry} when it is set, else on an SDK configured by the
 * {@code OTEL_*} variables when {@code opentelemetry-sdk-extension-autoconfigure} is on the class
 * path (exporting nothing unless an exporter or OTLP endpoint is set), with {@code messaging.system} set to the configured
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
    return AgentBusTracing.builder(GlobalOrAutoConfigured.get())
        .messagingSystem(settings.string("agentbus.transport", "AGENTBUS_TRANSPORT", "inmemory"))
        .build();
  }
}
