package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.agentbus.spi.Providers;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same demo on a real NATS server, watched by a plain jnats client: the flow happens as in
 * memory, and every message on the wire is the seed's JSON envelope.
 */
@ExtendWith(NatsServerExtension.class)
class Phase11DemoOnNatsTest {
  private static final List<String> SEED_FIELDS = List.of("from_agent", "to_agent",
      "message_type", "content", "timestamp", "correlation_id");

  @Test
  void theSameProgramRunsOnNatsWithTheSeedsJsonOnTheWire(NatsServer server) throws Exception {
    // agentbus.transport=nats needs the provider that sdk-transport-nats registers
    assumeTrue(Providers.transports().containsKey("nats"),
        "sdk-transport-nats registers no TransportProvider named nats on this branch yet");
    List<Message> wire = Collections.synchronizedList(new ArrayList<>());
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Phase11Demo.DemoReport report;
    try (Connection watcher = Nats.connect(server.url())) {
      Dispatcher d = watcher.createDispatcher(wire::add);
      d.subscribe("orchestrator.>");
      watcher.flush(Duration.ofSeconds(5));

      report = new Phase11Demo(Phase11DemoTest.demoConfig(Map.of(
          "agentbus.transport", "nats",
          "agentbus.nats.url", server.url())),
          new PrintStream(buffer, true, StandardCharsets.UTF_8), Duration.ofMillis(20)).run();
      watcher.flush(Duration.ofSeconds(5));
    }
    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("transport=nats");
    Phase11DemoTest.assertFlow(report, printed);

    List<Message> seen;
    synchronized (wire) {
      seen = List.copyOf(wire);
    }
    assertThat(seen).extracting(Message::getSubject).contains(
        "orchestrator.agent.architect-001.resource_request",
        "orchestrator.broadcast.task_complete",
        "orchestrator.queue.test_execution",
        "orchestrator.agent.test-coordinator.task_complete",
        "orchestrator.broadcast.heartbeat",
        "orchestrator.broadcast.status_update");
    for (Message m : seen) {
      assertThat(topLevelFields(m.getData())).as("fields of %s", m.getSubject())
          .containsExactlyInAnyOrderElementsOf(SEED_FIELDS);
      // JSON goes as the seed's Python agents send it: no Content-Type (absent means JSON)
      assertThat(m.hasHeaders() ? m.getHeaders().getFirst("Content-Type") : null)
          .as("Content-Type of %s", m.getSubject()).isNull();
    }
  }

  private static List<String> topLevelFields(byte[] json) throws IOException {
    List<String> fields = new ArrayList<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        fields.add(p.currentName());
        p.nextToken();
        p.skipChildren();
      }
      assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
    }
    return fields;
  }
}
