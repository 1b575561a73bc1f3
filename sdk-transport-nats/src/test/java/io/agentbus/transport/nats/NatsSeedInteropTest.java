package io.agentbus.transport.nats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.SeedFixtures;
import io.agentbus.test.SeedFixtures.Fixture;
import io.agentbus.test.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Java agent on {@link MessageBus} and a seed Python agent understand each other. The Python
 * side is played by a plain jnats connection that sends and reads the seed's raw JSON with no
 * headers, as the seed's {@code nats-py} agents do; what it reads is parsed by an independent
 * JSON library, as {@code json.loads} would. This emulation pins the recorded seed messages byte
 * for byte; the real Python agents, on nats-py, are run against Java agents by {@code sdk-interop}.
 */
class NatsSeedInteropTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private MessageBus bus;
  private Connection python;

  static Stream<Fixture> fixtures() {
    return SeedFixtures.all().stream();
  }

  @BeforeEach
  void connect() throws Exception {
    bus = MessageBus.builder()
        .transport(NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
            .connectionName("java-agents").build()))
        .codec(JsonCodec.create())
        .build();
    python = Nats.connect(nats.url());
  }

  @AfterEach
  void close() throws Exception {
    bus.close();
    python.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void aMessageFromAPythonAgentReachesAJavaHandler(Fixture f) throws Exception {
    BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
    AgentMessage expected = f.expected();
    switch (f.route()) {
      case BROADCAST:
        bus.subscribeToBroadcasts(expected.messageType(), got::add);
        break;
      case DIRECT:
        bus.subscribeToAgentMessages(expected.toAgent(), got::add);
        break;
      default:
        bus.createWorkQueue(SeedFixtures.QUEUE_NAME, got::add, 1);
    }
    bus.flush(WAIT);

    python.publish(f.subject(), f.bytes());

    Delivery d = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(d).as("the Java handler got %s", f.name()).isNotNull();
    assertThat(d.message()).isEqualTo(expected);
    assertThat(d.subject()).isEqualTo(f.subject());
    assertThat(d.headers().isEmpty()).as("Python sends no headers").isTrue();
    assertThat(bus.stats().decodeFailures()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void aMessageFromAJavaAgentIsTheSeedsJsonToAPythonAgent(Fixture f) throws Exception {
    Subscription subscription = python.subscribe(f.subject());
    python.flush(WAIT);

    if (f.route() == SeedFixtures.Route.QUEUE) {
      bus.publish(f.subject(), f.expected());
    } else {
      bus.publish(f.expected()); // the bus derives the seed's subject from the message itself
    }

    Message m = subscription.nextMessage(WAIT);
    assertThat(m).as("the Python side got %s", f.name()).isNotNull();
    assertThat(m.getSubject()).isEqualTo(f.subject());
    assertSameSeedJson(m.getData(), f.bytes());
  }

  @Test
  void aJavaAgentsRequestIsAnsweredByAPythonAgent() throws Exception {
    Fixture response = SeedFixtures.named("resource-response");
    String recorded = response.expected().correlationId();
    java.util.regex.Pattern cid =
        java.util.regex.Pattern.compile("\"correlation_id\": ?\"([^\"]*)\"");
    // as a seed agent answers: the recorded reply, with the request's correlation_id copied in
    Dispatcher architect = python.createDispatcher(msg -> {
      java.util.regex.Matcher m = cid.matcher(new String(msg.getData(), UTF_8));
      String copied = m.find() ? m.group(1) : "none";
      python.publish(msg.getReplyTo(), new String(response.bytes(), UTF_8)
          .replace(String.valueOf(recorded), copied).getBytes(UTF_8));
    });
    architect.subscribe("orchestrator.agent.architect-001.resource_request");
    python.flush(WAIT);

    AgentMessage reply = bus.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);

    assertThat(reply.correlationId()).startsWith("parser-dev-001-").isNotEqualTo(recorded);
    assertThat(reply).isEqualTo(response.expected().toBuilder()
        .correlationId(reply.correlationId()).build());
  }

  @Test
  void aPythonAgentsRequestIsAnsweredByAJavaAgent() throws Exception {
    Fixture request = SeedFixtures.named("resource-request");
    bus.subscribeToAgentMessages("architect-001", d -> d.reply(MessageType.RESOURCE_RESPONSE,
        Map.of("resource", d.message().content().get("resource"), "status", "ready")));
    bus.flush(WAIT);

    Message reply = python.request(request.subject(), request.bytes(), WAIT);

    assertThat(reply).isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> json = JSON.readValue(reply.getData(), Map.class);
    assertThat(json).containsOnlyKeys("from_agent", "to_agent", "message_type", "content",
        "timestamp", "correlation_id");
    assertThat(json).containsEntry("from_agent", "architect-001")
        .containsEntry("to_agent", "parser-dev-001")
        .containsEntry("message_type", "resource_response")
        .containsEntry("correlation_id", "parser-dev-001-1733409130004-1")
        .containsEntry("content", Map.of("resource", "task_model", "status", "ready"));
    assertThat(Instant.parse((String) json.get("timestamp"))).isNotNull();
  }

  /**
   * Same keys, same values; the timestamp as the same instant (the seed writes some with an offset,
   * AgentBus writes UTC with 'Z').
   */
  @SuppressWarnings("unchecked")
  private static void assertSameSeedJson(byte[] actual, byte[] seed) throws Exception {
    Map<String, Object> got = JSON.readValue(actual, Map.class);
    Map<String, Object> want = JSON.readValue(seed, Map.class);
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
    for (String key : want.keySet()) {
      if (!key.equals("timestamp")) {
        assertThat(got.get(key)).as(key).isEqualTo(want.get(key));
      }
    }
    Instant wanted = OffsetDateTime.parse((String) want.get("timestamp")).toInstant();
    assertThat(OffsetDateTime.parse((String) got.get("timestamp")).toInstant())
        .isEqualTo(wanted);
  }
}
