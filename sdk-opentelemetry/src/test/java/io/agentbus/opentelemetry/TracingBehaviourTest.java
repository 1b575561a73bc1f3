package io.agentbus.opentelemetry;

import static io.agentbus.opentelemetry.Spans.assertChild;
import static io.agentbus.opentelemetry.Spans.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Failures, dead letters, timeouts, the MDC, the configuration switch, and tracing off. */
class TracingBehaviourTest {
  private final InMemoryServer server = InMemoryServer.create();
  private final Spans spans = new Spans();
  private MessageBus bus = traced();

  @AfterEach
  void closeBus() {
    bus.close();
  }

  private MessageBus traced() {
    return MessageBus.builder().transport(server.connect()).codec(JsonCodec.create())
        .addExtension(AgentBusTracing.builder(spans.sdk).messagingSystem("inmemory").build())
        .build();
  }

  @Test
  void aFailingHandlerMarksItsSpanAndTheDeadLetterIsMarked() throws Exception {
    CompletableFuture<Delivery> deadLetter = new CompletableFuture<>();
    bus.subscribe(bus.subjects().deadLetter(), deadLetter::complete);
    bus.subscribeToBroadcasts(MessageType.TASK_COMPLETE, d -> {
      throw new IllegalStateException("cannot start");
    });
    bus.endpoint("parser-dev-001").broadcast(MessageType.TASK_COMPLETE, Map.of("task", "x"));
    assertThat(deadLetter.get(10, TimeUnit.SECONDS).headers().first("traceparent")).isNotNull();

    // publish, failed process, dead-letter mark, and the delivery of the dead letter
    List<SpanData> all = spans.await(4);
    SpanData published = one(all, "publish orchestrator.broadcast.task_complete",
        SpanKind.PRODUCER);
    SpanData failed = one(all, "process orchestrator.broadcast.task_complete",
        SpanKind.CONSUMER);
    assertChild(failed, published);
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getStatus().getDescription()).contains("cannot start");
    assertThat(failed.getEvents()).extracting(e -> e.getName()).contains("exception");
    assertThat(failed.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(IllegalStateException.class.getName());

    SpanData marked = one(all, "dead-letter orchestrator.broadcast.task_complete",
        SpanKind.INTERNAL);
    assertChild(marked, published);
    assertThat(marked.getAttributes().get(AttributeKey.booleanKey("agentbus.dead_lettered")))
        .isTrue();
    assertThat(marked.getStatus().getDescription()).contains("handler failed")
        .contains("cannot start");
  }

  @Test
  void aDurableQueueItemCarriesItsTraceThroughTheStreamToItsWorker() throws Exception {
    MessageBus durable = MessageBus.builder().transport(server.connect())
        .codec(JsonCodec.create())
        .queue("tasks", io.agentbus.QueueOptions.durable().build())
        .addExtension(AgentBusTracing.builder(spans.sdk).messagingSystem("inmemory").build())
        .build();
    try {
      CompletableFuture<Delivery> handled = new CompletableFuture<>();
      durable.createWorkQueue("tasks", handled::complete, 1);
      durable.publishToQueue("tasks", io.agentbus.AgentMessage.builder()
          .fromAgent("test-coordinator").messageType(MessageType.TASK_ASSIGNMENT)
          .content(Map.of("test", "t1")).build(), "task-1");
      assertThat(handled.get(10, TimeUnit.SECONDS).messageId()).isEqualTo("task-1");

      SpanData worked = spans.awaitSpan("process orchestrator.queue.tasks", SpanKind.CONSUMER);
      SpanData published = one(spans.await(0), "publish orchestrator.queue.tasks",
          SpanKind.PRODUCER);
      assertChild(worked, published);
      assertThat(worked.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))
          .isEqualTo("task-1");
      assertThat(published.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))
          .isEqualTo("task-1");
    } finally {
      durable.close();
    }
  }

  @Test
  void aRequestThatFailsMarksItsClientSpan() throws Exception {
    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").request("nobody",
        MessageType.RESOURCE_REQUEST, Map.of(), Duration.ofSeconds(2)))
        .isInstanceOf(NoRespondersException.class);
    bus.subscribeToAgentMessages("slow", d -> { /* never answers */ });
    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").requestAsync("slow",
        MessageType.RESOURCE_REQUEST, Map.of(), Duration.ofMillis(50)).join())
        .hasCauseInstanceOf(RequestTimeoutException.class);

    // two client spans, and the process span of the unanswered request
    List<SpanData> all = spans.await(3);
    SpanData noResponders = one(all, "request orchestrator.agent.nobody.resource_request",
        SpanKind.CLIENT);
    assertThat(noResponders.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(noResponders.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(NoRespondersException.class.getName());
    SpanData timedOut = one(all, "request orchestrator.agent.slow.resource_request",
        SpanKind.CLIENT);
    assertThat(timedOut.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(RequestTimeoutException.class.getName());
    assertChild(one(all, "process orchestrator.agent.slow.resource_request", SpanKind.SERVER),
        timedOut);
  }

  @Test
  void theMdcHoldsAgentCorrelationTraceAndSpanIdsWhileAnAgentsHandlerRuns() throws Exception {
    CompletableFuture<Map<String, String>> seen = new CompletableFuture<>();
    AbstractAgent decomposer = new AbstractAgent(AgentContext.builder(bus)
        .shutdownHook(false).build()) {
      @Override
      public String id() {
        return "decomposer-001";
      }

      @Override
      public Set<String> teams() {
        return Set.of();
      }

      @Override
      protected void configure(Handlers handlers) {
        handlers.onBroadcast(MessageType.TASK_COMPLETE,
            d -> seen.complete(MDC.getCopyOfContextMap()));
      }
    };
    decomposer.startAsync().awaitRunning(Duration.ofSeconds(10));
    try {
      MessageBus parser = traced();
      parser.publish(io.agentbus.AgentMessage.builder().fromAgent("parser-dev-001")
          .messageType(MessageType.TASK_COMPLETE).content(Map.of("task", "parse"))
          .correlationId("corr-42").build());
      Map<String, String> mdc = seen.get(10, TimeUnit.SECONDS);
      parser.close();
      SpanData process = spans.awaitSpan("process orchestrator.broadcast.task_complete",
          SpanKind.CONSUMER);
      assertThat(mdc).containsEntry("agent_id", "decomposer-001")
          .containsEntry("correlation_id", "corr-42")
          .containsEntry("trace_id", process.getTraceId())
          .containsEntry("span_id", process.getSpanId());
    } finally {
      decomposer.stopAsync().awaitTerminated(Duration.ofSeconds(10));
    }
  }

  @Test
  void agentbusTracingOtelSwitchesItOnFromConfigurationWithTheGlobalOpenTelemetry()
      throws Exception {
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(spans.sdk);
    try {
      AgentBusConfig config = AgentBusConfig.fromProperties(Map.of("agentbus.tracing", "otel"));
      assertThat(config.extensions()).containsExactly("tracing=otel");
      try (MessageBus configured = config.newMessageBus()) {
        CompletableFuture<Headers> headers = new CompletableFuture<>();
        configured.subscribeToBroadcasts(MessageType.STATUS_UPDATE,
            d -> headers.complete(d.headers()));
        configured.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of());
        assertThat(headers.get(10, TimeUnit.SECONDS).first("traceparent")).isNotNull();
        assertThat(spans.await(2)).extracting(s -> s.getAttributes()
            .get(AttributeKey.stringKey("messaging.system"))).containsOnly("inmemory");
      }
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void anUnknownTracingNameFailsNamingWhatIsThere() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.tracing", "zipkin")))
        .hasMessageContaining("agentbus.tracing")
        .hasMessageContaining("zipkin")
        .hasMessageContaining("[otel]");
  }

  @Test
  void withTracingOffMessagesGoWithoutHeaders() throws Exception {
    try (MessageBus plain = MessageBus.builder().transport(server.connect())
        .codec(JsonCodec.create()).build()) {
      CompletableFuture<Headers> headers = new CompletableFuture<>();
      plain.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> headers.complete(d.headers()));
      plain.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of());
      assertThat(headers.get(10, TimeUnit.SECONDS).isEmpty()).isTrue();
    }
  }
}
