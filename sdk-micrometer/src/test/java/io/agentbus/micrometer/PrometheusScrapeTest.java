package io.agentbus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.inmemory.InMemoryTransport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What docs/observability.md shows: the bus's meters in a Prometheus scrape. */
class PrometheusScrapeTest {

  @Test
  void aScrapeShowsCountersAndRequestHistogramsInPrometheusNames() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MessageBus bus = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).addExtension(AgentBusMetrics.create(prometheus)).build()) {
      bus.subscribeToAgentMessages("architect-001",
          d -> d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
      bus.endpoint("parser-dev-001").request("architect-001", MessageType.RESOURCE_REQUEST,
          Map.of(), Duration.ofSeconds(10));

      String scrape = prometheus.scrape();
      assertThat(scrape)
          .contains("agentbus_messages_published_total{message_type=\"resource_request\"} 1")
          .contains("agentbus_request_duration_seconds_bucket{")
          .contains("agentbus_request_duration_seconds_count{message_type=\"resource_request\","
              + "outcome=\"success\"} 1")
          .contains("agentbus_transport_connected 1")
          .contains("agentbus_bus_messages_total{event=\"published\"} 2");
    }
  }
}
