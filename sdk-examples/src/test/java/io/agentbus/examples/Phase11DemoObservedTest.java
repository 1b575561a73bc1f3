package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The demo with {@code agentbus.tracing=otel} and {@code agentbus.metrics=micrometer} and no
 * change to its code: the parser's request, its completion and the decomposer's reaction are one
 * trace, and the meters count the flow. The demo's bus is closed when {@code run()} returns, so
 * every span has ended by then.
 */
class Phase11DemoObservedTest {

  @Test
  void theFlowIsOneTraceAndIsCountedWhenConfigurationSwitchesThemOn() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider
        .builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(sdk);
    Metrics.addRegistry(registry);
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      Phase11Demo.DemoReport report = new Phase11Demo(Phase11DemoTest.demoConfig(Map.of(
          "agentbus.tracing", "otel", "agentbus.metrics", "micrometer")),
          new PrintStream(buffer, true, StandardCharsets.UTF_8), Duration.ofMillis(20)).run();
      Phase11DemoTest.assertFlow(report, buffer.toString(StandardCharsets.UTF_8));

      List<SpanData> spans = exporter.getFinishedSpanItems();
      SpanData work = one(spans, "write the TaskParser", SpanKind.INTERNAL, s -> true);
      assertThat(work.getParentSpanContext().isValid()).as("the work span is a root").isFalse();
      SpanData request = one(spans,
          "request orchestrator.agent.architect-001.resource_request", SpanKind.CLIENT, s -> true);
      SpanData served = one(spans,
          "process orchestrator.agent.architect-001.resource_request", SpanKind.SERVER, s -> true);
      SpanData completion = one(spans, "publish orchestrator.broadcast.task_complete",
          SpanKind.PRODUCER, from(ParserDeveloper.ID));
      SpanData reaction = one(spans, "publish orchestrator.broadcast.task_complete",
          SpanKind.PRODUCER, from(Decomposer.ID));
      // the completion is heard by the decomposer and the orchestrator's monitor: the one whose
      // handling published the reaction is the decomposer's
      SpanData heard = one(spans, "process orchestrator.broadcast.task_complete",
          SpanKind.CONSUMER, s -> s.getSpanId().equals(reaction.getParentSpanId()));
      assertThat(request.getParentSpanId()).isEqualTo(work.getSpanId());
      assertThat(served.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(completion.getParentSpanId()).isEqualTo(work.getSpanId());
      assertThat(heard.getParentSpanId()).isEqualTo(completion.getSpanId());
      assertThat(heard.getAttributes().get(AttributeKey.stringKey("agentbus.from_agent")))
          .isEqualTo(ParserDeveloper.ID);
      assertThat(List.of(request, served, completion, heard, reaction))
          .extracting(SpanData::getTraceId).containsOnly(work.getTraceId());

      assertThat(registry.get("agentbus.request.duration").tags("message.type",
          "resource_request", "outcome", "success").timer().count()).isEqualTo(1);
      assertThat(registry.get("agentbus.messages.published").tag("message.type",
          "task_complete").counter().count()).isGreaterThanOrEqualTo(2);
    } finally {
      Metrics.removeRegistry(registry);
      Metrics.globalRegistry.clear();
      GlobalOpenTelemetry.resetForTest();
    }
  }

  private static Predicate<SpanData> from(String agent) {
    return s -> agent.equals(s.getAttributes().get(AttributeKey.stringKey("agentbus.from_agent")));
  }

  private static SpanData one(List<SpanData> spans, String name, SpanKind kind,
      Predicate<SpanData> filter) {
    List<SpanData> found = spans.stream()
        .filter(s -> s.getName().equals(name) && s.getKind() == kind && filter.test(s)).toList();
    assertThat(found).as("%s %s among %d spans", kind, name, spans.size()).hasSize(1);
    return found.get(0);
  }
}
