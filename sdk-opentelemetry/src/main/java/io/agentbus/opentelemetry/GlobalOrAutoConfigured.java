package io.agentbus.opentelemetry;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link OpenTelemetry} that {@code agentbus.tracing=otel} uses: the global one when the
 * application or the OpenTelemetry Java agent set it; otherwise, when {@code
 * opentelemetry-sdk-extension-autoconfigure} is on the class path, an SDK configured by the
 * standard {@code OTEL_*} variables (and {@code otel.*} system properties), made global, and
 * closed (its spans flushed) when the JVM exits; otherwise OpenTelemetry's no-op.
 *
 * <p>Defaults that differ from OpenTelemetry's own, so that an application with no {@code OTEL_*}
 * setting exports nothing and logs no export failures: traces are exported (over OTLP) only when
 * {@code OTEL_TRACES_EXPORTER} or an OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) is set; metrics and logs only when {@code
 * OTEL_METRICS_EXPORTER} or {@code OTEL_LOGS_EXPORTER} says so (AgentBus's metrics are
 * Micrometer's); and OTLP speaks {@code http/protobuf} unless {@code OTEL_EXPORTER_OTLP_PROTOCOL}
 * says otherwise. Thread-safe.
 */
final class GlobalOrAutoConfigured {
  private static final Logger log = LoggerFactory.getLogger(GlobalOrAutoConfigured.class);
  private static final String AUTOCONFIGURE =
      "io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk";

  private GlobalOrAutoConfigured() {}

  static synchronized OpenTelemetry get() {
    if (GlobalOpenTelemetry.isSet() || !autoConfigureAvailable()) {
      return GlobalOpenTelemetry.get();
    }
    try {
      return AutoConfigured.initialize();
    } catch (IllegalStateException setMeanwhile) { // another library made one global first
      return GlobalOpenTelemetry.get();
    }
  }

  private static boolean autoConfigureAvailable() {
    try {
      Class.forName(AUTOCONFIGURE, false, GlobalOrAutoConfigured.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The defaults described above, for the properties nobody set. */
  static Map<String, String> defaults(ConfigProperties config) {
    Map<String, String> d = new HashMap<>();
    if (config.getString("otel.traces.exporter") == null
        && config.getString("otel.exporter.otlp.endpoint") == null
        && config.getString("otel.exporter.otlp.traces.endpoint") == null) {
      d.put("otel.traces.exporter", "none");
    }
    if (config.getString("otel.metrics.exporter") == null) {
      d.put("otel.metrics.exporter", "none");
    }
    if (config.getString("otel.logs.exporter") == null) {
      d.put("otel.logs.exporter", "none");
    }
    if (config.getString("otel.exporter.otlp.protocol") == null) {
      d.put("otel.exporter.otlp.protocol", "http/protobuf");
    }
    return d;
  }

  /** Loaded only when the autoconfigure module is present. */
  private static final class AutoConfigured {
    static OpenTelemetry initialize() {
      return AutoConfiguredOpenTelemetrySdk.builder()
          .addPropertiesCustomizer(config -> {
            Map<String, String> d = defaults(config);
            log.info("OpenTelemetry configured from the OTEL_* settings (traces exporter: {})",
                d.getOrDefault("otel.traces.exporter",
                    config.getString("otel.traces.exporter", "otlp")));
            return d;
          })
          .setResultAsGlobal()
          .build()
          .getOpenTelemetrySdk();
    }
  }
}
