package io.agentbus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An OpenTelemetry SDK whose finished spans land in the SDK's {@link InMemorySpanExporter}, with
 * a wait for spans ended on other threads, and look-ups for assertions.
 */
final class Spans implements SpanExporter {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final Semaphore exported = new Semaphore(0);
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(this)).build())
      .build();

  Tracer tracer() {
    return sdk.getTracer("test");
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode r = exporter.export(spans);
    exported.release(spans.size());
    return r;
  }

  @Override
  public CompletableResultCode flush() {
    return exporter.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return exporter.shutdown();
  }

  /** Waits up to 10 s until {@code count} spans have ended; returns every span ended so far. */
  List<SpanData> await(int count) throws InterruptedException {
    boolean all = exported.tryAcquire(count, 10, TimeUnit.SECONDS);
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(all).as("%d spans ended within 10 s; got %s", count, names(spans)).isTrue();
    return spans;
  }

  /** Waits up to 10 s for a span named {@code name} of {@code kind} to end; returns it. */
  SpanData awaitSpan(String name, SpanKind kind) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<SpanData> spans = exporter.getFinishedSpanItems();
      for (SpanData s : spans) {
        if (s.getName().equals(name) && s.getKind() == kind) {
          return s;
        }
      }
      long left = deadline - System.nanoTime();
      // wakes at each exported span; fails once the time is up
      assertThat(left > 0 && exported.tryAcquire(left, TimeUnit.NANOSECONDS))
          .as("%s %s within 10 s; got %s", kind, name, names(spans)).isTrue();
    }
  }

  /** The one span with {@code name} and {@code kind} matching {@code filter}. */
  static SpanData one(List<SpanData> spans, String name, SpanKind kind,
      Predicate<SpanData> filter) {
    List<SpanData> found = spans.stream()
        .filter(s -> s.getName().equals(name) && s.getKind() == kind && filter.test(s)).toList();
    assertThat(found).as("%s %s among %s", kind, name, names(spans)).hasSize(1);
    return found.get(0);
  }

  static SpanData one(List<SpanData> spans, String name, SpanKind kind) {
    return one(spans, name, kind, s -> true);
  }

  static Predicate<SpanData> from(String agent) {
    return s -> agent.equals(s.getAttributes().get(AttributeKey.stringKey("agentbus.from_agent")));
  }

  static void assertChild(SpanData child, SpanData parent) {
    assertThat(child.getTraceId()).as("trace of %s", child.getName())
        .isEqualTo(parent.getTraceId());
    assertThat(child.getParentSpanId()).as("parent of %s %s", child.getKind(), child.getName())
        .isEqualTo(parent.getSpanId());
  }

  static List<String> names(List<SpanData> spans) {
    return spans.stream().map(s -> s.getKind() + " " + s.getName()).toList();
  }
}
