package io.agentbus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.nats.v2_17.NatsTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenTelemetry's own instrumentation of jnats ({@code opentelemetry-nats-2.17}) on a raw jnats
 * connection, beside an AgentBus agent on a real nats-server: a trace started by the raw client
 * is continued by the agent, and a trace started by an AgentBus request is continued by a raw,
 * instrumented responder, in both directions through the headers each side writes.
 */
class JnatsInstrumentationTraceTest {
  private static final String NATS_SCOPE = "io.opentelemetry.nats-2.17";
  private static final String ARCHITECT = "orchestrator.agent.architect-001.resource_request";

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final Spans spans = new Spans();
  /** The spans' SDK with the W3C propagators, as OpenTelemetry's autoconfiguration sets them. */
  private final OpenTelemetry otel = OpenTelemetrySdk.builder()
      .setTracerProvider(spans.sdk.getSdkTracerProvider())
      .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
          W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
      .build();
  private MessageBus bus;
  private Connection raw;

  @BeforeEach
  void connect() throws Exception {
    bus = MessageBus.builder()
        .transport(NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url()).build()))
        .codec(JsonCodec.create())
        .addExtension(AgentBusTracing.create(otel))
        .build();
    raw = NatsTelemetry.create(otel)
        .newConnection(new Options.Builder().server(nats.url()).build(), Nats::connect);
  }

  @AfterEach
  void close() throws Exception {
    raw.close();
    bus.close();
  }

  @Test
  void anAgentContinuesTheTraceOfAnInstrumentedJnatsRequest() throws Exception {
    bus.subscribeToAgentMessages("architect-001",
        d -> d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    bus.flush(Duration.ofSeconds(5));

    Span root = spans.tracer().spanBuilder("raw client work").startSpan();
    Message reply;
    try (Scope ignored = root.makeCurrent()) {
      reply = raw.request(ARCHITECT, request("raw-client", "architect-001", "raw-corr-1"),
          Duration.ofSeconds(10));
    } finally {
      root.end();
    }
    assertThat(reply).as("the agent answered").isNotNull();
    assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).contains("ready");

    SpanData served = spans.awaitSpan("process " + ARCHITECT, SpanKind.SERVER);
    SpanData sent = fromNatsInstrumentation(SpanKind.PRODUCER, ARCHITECT);
    assertThat(sent.getTraceId()).isEqualTo(root.getSpanContext().getTraceId());
    assertThat(sent.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
    assertThat(served.getTraceId()).as("the agent continues the raw client's trace")
        .isEqualTo(sent.getTraceId());
    assertThat(served.getParentSpanId()).isEqualTo(sent.getSpanId());
    assertThat(served.getParentSpanContext().isRemote()).isTrue();
    // the reply carries the agent's side of the same trace back to the raw client
    assertThat(reply.getHeaders().getFirst("traceparent"))
        .startsWith("00-" + sent.getTraceId() + "-");
  }

  @Test
  void anAgentContinuesTheTraceOfAnInstrumentedJnatsPublish() throws Exception {
    CountDownLatch heard = new CountDownLatch(1);
    bus.subscribeToBroadcasts(MessageType.TASK_COMPLETE, d -> heard.countDown());
    bus.flush(Duration.ofSeconds(5));

    Span root = spans.tracer().spanBuilder("raw client work").startSpan();
    try (Scope ignored = root.makeCurrent()) {
      raw.publish("orchestrator.broadcast.task_complete",
          message("raw-client", null, "task_complete", "raw-corr-2"));
      raw.flush(Duration.ofSeconds(5));
    } finally {
      root.end();
    }
    assertThat(heard.await(10, TimeUnit.SECONDS)).isTrue();
    SpanData processed =
        spans.awaitSpan("process orchestrator.broadcast.task_complete", SpanKind.CONSUMER);
    SpanData sent =
        fromNatsInstrumentation(SpanKind.PRODUCER, "orchestrator.broadcast.task_complete");
    assertThat(processed.getTraceId()).isEqualTo(root.getSpanContext().getTraceId());
    assertThat(processed.getParentSpanId()).isEqualTo(sent.getSpanId());
  }

  @Test
  void anInstrumentedJnatsResponderContinuesTheTraceOfAnAgentRequest() throws Exception {
    String subject = "orchestrator.agent.raw-architect.resource_request";
    raw.createDispatcher().subscribe(subject, m -> {
      Matcher corr = Pattern.compile("\"correlation_id\"\\s*:\\s*\"([^\"]+)\"")
          .matcher(new String(m.getData(), StandardCharsets.UTF_8));
      assertThat(corr.find()).isTrue();
      raw.publish(m.getReplyTo(),
          message("raw-architect", "parser-dev-001", "resource_response", corr.group(1)));
    });
    raw.flush(Duration.ofSeconds(5));

    AgentMessage answer = bus.endpoint("parser-dev-001").request("raw-architect",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(10));
    assertThat(answer.fromAgent()).isEqualTo("raw-architect");

    SpanData request = spans.awaitSpan("request " + subject, SpanKind.CLIENT);
    SpanData processed = fromNatsInstrumentation(SpanKind.CONSUMER, subject);
    assertThat(processed.getTraceId()).as("the raw responder continues the agent's trace")
        .isEqualTo(request.getTraceId());
    assertThat(processed.getParentSpanContext().isRemote()).isTrue();
    // its reply is sent inside that trace, as a child of its processing
    SpanData replied = fromNatsInstrumentation(SpanKind.PRODUCER, ""); // to the reply inbox
    assertThat(replied.getTraceId()).isEqualTo(request.getTraceId());
    assertThat(replied.getParentSpanId()).isEqualTo(processed.getSpanId());
  }

  /** The span the jnats instrumentation made of {@code kind} on {@code subject}. */
  private SpanData fromNatsInstrumentation(SpanKind kind, String subject)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<SpanData> found = spans.await(0).stream()
          .filter(s -> s.getInstrumentationScopeInfo().getName().equals(NATS_SCOPE)
              && s.getKind() == kind && s.getName().startsWith(subject))
          .toList();
      if (!found.isEmpty()) {
        assertThat(found).as("%s spans on %s", kind, subject).hasSize(1);
        return found.get(0);
      }
      assertThat(System.nanoTime() < deadline)
          .as("a %s span of %s on %s among %s", kind, NATS_SCOPE, subject, spans.await(0))
          .isTrue();
      TimeUnit.MILLISECONDS.sleep(5); // polling the exporter for a span ended on another thread
    }
  }

  private static byte[] request(String from, String to, String correlationId) {
    return message(from, to, "resource_request", correlationId);
  }

  private static byte[] message(String from, String to, String type, String correlationId) {
    String json = "{\"from_agent\":\"" + from + "\","
        + (to == null ? "" : "\"to_agent\":\"" + to + "\",")
        + "\"message_type\":\"" + type + "\",\"content\":{\"resource\":\"task_model\"},"
        + "\"timestamp\":\"2026-12-06T12:00:00\",\"correlation_id\":\"" + correlationId + "\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
