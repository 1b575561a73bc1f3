package io.agentbus.benchmarks;

import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.micrometer.AgentBusMetrics;
import io.agentbus.opentelemetry.AgentBusTracing;
import io.agentbus.spi.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What tracing and metrics add to the plain bus, in one run: the request/reply of {@link
 * BusRequestReplyBenchmark} (JSON) and a broadcast published and handled in lockstep, with {@code observe} = {@code
 * none} (the plain bus: the baseline), {@code tracing} (OpenTelemetry SDK, every span sampled and
 * handed to a no-op exporter, so recording is paid, export is not), {@code metrics} (Micrometer
 * with a {@code SimpleMeterRegistry}), or {@code both}. Sampled times, so the summary table shows
 * p50 / p99 / p99.9 of each beside the plain bus: {@code bench/run.sh short --only observe}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ObservabilityOverheadBenchmark {
  @Param({BusFixture.INMEMORY, BusFixture.NATS})
  public String transport = BusFixture.INMEMORY;

  @Param({"none", "tracing", "metrics", "both"})
  public String observe = "none";

  private MessageBus requesterBus;
  private MessageBus responderBus;
  private AgentEndpoint requester;
  private final LongAdder exported = new LongAdder();
  private final Semaphore handled = new Semaphore(0);

  @Setup(Level.Trial)
  public void setUp() {
    Transport[] pair = BusFixture.transports(transport, "bench-obs-requester",
        "bench-obs-responder");
    requesterBus = bus(pair[0]);
    responderBus = bus(pair[1]);
    requester = requesterBus.endpoint(BenchMessages.REQUESTER);
    responderBus.subscribeToAgentMessages(BenchMessages.RESPONDER,
        d -> d.reply(MessageType.RESOURCE_RESPONSE, BenchMessages.RESPONSE_CONTENT));
    responderBus.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> handled.release());
    requesterBus.flush(Duration.ofSeconds(5));
    responderBus.flush(Duration.ofSeconds(5));
  }

  private MessageBus bus(Transport t) {
    MessageBus.Builder b = MessageBus.builder().transport(t).codec(Codecs.named(Codecs.JSON));
    if (observe.equals("tracing") || observe.equals("both")) {
      OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider
          .builder().addSpanProcessor(SimpleSpanProcessor.create(new NoopExporter())).build())
          .build();
      b.addExtension(AgentBusTracing.builder(sdk).messagingSystem(transport).build());
    }
    if (observe.equals("metrics") || observe.equals("both")) {
      b.addExtension(AgentBusMetrics.create(new SimpleMeterRegistry()));
    }
    return b.build();
  }

  @Benchmark
  public AgentMessage requestReply() {
    return requester.request(BenchMessages.RESPONDER, MessageType.RESOURCE_REQUEST,
        BenchMessages.REQUEST_CONTENT, RawNatsRequestReplyBenchmark.TIMEOUT);
  }

  /** One broadcast, published and handled on the other bus before the next: no backlog. */
  @Benchmark
  public void broadcastHandled() throws InterruptedException {
    requester.broadcast(MessageType.STATUS_UPDATE, BenchMessages.STATUS_CONTENT);
    if (!handled.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("a broadcast was not handled within 10 s");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    requesterBus.close();
    responderBus.close();
    if ((observe.equals("tracing") || observe.equals("both")) && exported.sum() == 0) {
      throw new IllegalStateException("tracing was on but no span reached the exporter");
    }
  }

  /** Takes every span and drops it: the cost measured is recording, not exporting. */
  private final class NoopExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.add(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
