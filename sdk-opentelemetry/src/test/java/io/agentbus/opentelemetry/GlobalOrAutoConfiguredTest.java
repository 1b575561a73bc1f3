package io.agentbus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AgentBus's defaults for the OpenTelemetry autoconfiguration: only for what nobody set. */
class GlobalOrAutoConfiguredTest {

  private static Map<String, String> defaultsFor(Map<String, String> set) {
    return GlobalOrAutoConfigured.defaults(DefaultConfigProperties.createFromMap(set));
  }

  @Test
  void withNothingSetNothingIsExported() {
    assertThat(defaultsFor(Map.of())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "otel.traces.exporter", "none", "otel.metrics.exporter", "none",
        "otel.logs.exporter", "none", "otel.exporter.otlp.protocol", "http/protobuf"));
  }

  @Test
  void anOtlpEndpointTurnsOnTheTraceExportOverHttp() {
    Map<String, String> d = defaultsFor(Map.of("otel.exporter.otlp.endpoint", "http://c:4318"));
    assertThat(d).doesNotContainKey("otel.traces.exporter")
        .containsEntry("otel.exporter.otlp.protocol", "http/protobuf");
    assertThat(defaultsFor(Map.of("otel.exporter.otlp.traces.endpoint", "http://c:4318")))
        .doesNotContainKey("otel.traces.exporter");
  }

  @Test
  void whatIsSetExplicitlyWins() {
    assertThat(defaultsFor(Map.of("otel.traces.exporter", "console", "otel.metrics.exporter",
        "otlp", "otel.logs.exporter", "otlp", "otel.exporter.otlp.protocol", "grpc"))).isEmpty();
  }
}
