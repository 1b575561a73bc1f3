package io.agentbus.micrometer;

import io.agentbus.config.Settings;
import io.agentbus.spi.BusExtension;
import io.agentbus.spi.BusExtensionProvider;
import io.micrometer.core.instrument.Metrics;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registers {@code agentbus.metrics=micrometer}: {@link AgentBusMetrics} in {@link
 * Metrics#globalRegistry}, with the counters (and, for a durable queue, the depth and pending
 * gauges) of every queue configured by {@code agentbus.queue.<name>.*} keys. For {@link java.util.ServiceLoader} only.
 */
public final class MicrometerMetricsProvider implements BusExtensionProvider {
  private static final String QUEUE_PREFIX = "agentbus.queue.";

  /** For {@link java.util.ServiceLoader}. */
  public MicrometerMetricsProvider() {}

  @Override
  public String kind() {
    return "metrics";
  }

  @Override
  public String name() {
    return "micrometer";
  }

  @Override
  public BusExtension create(Settings settings) {
    Set<String> queues = new TreeSet<>();
    for (String key : settings.propertyNames(QUEUE_PREFIX)) {
      int dot = key.indexOf('.', QUEUE_PREFIX.length());
      if (dot > QUEUE_PREFIX.length()) {
        queues.add(key.substring(QUEUE_PREFIX.length(), dot));
      }
    }
    return AgentBusMetrics.builder(Metrics.globalRegistry)
        .queues(queues.toArray(String[]::new)).build();
  }
}
