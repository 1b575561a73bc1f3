package io.agentbus.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.jspecify.annotations.Nullable;

/**
 * Baseline for NATS pub/sub: raw jnats publishing the very bytes a codec makes of the status
 * update, from one connection to a subscriber on another, counted on arrival. One operation is one
 * message received; each invocation publishes a batch and waits until all of it arrived.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RawNatsPubSubBenchmark extends WindowedBenchmark {
  static final int BATCH = 1000;
  static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);
  static final String HEADER_CONTENT_TYPE = "content-type";

  /** Which codec's bytes the raw publisher sends. */
  @Param({Codecs.JSON, Codecs.PROTOBUF})
  public String payload = Codecs.JSON;

  @Param({BenchMessages.Fanout.ONE, BenchMessages.Fanout.QUEUE3})
  public String fanout = BenchMessages.Fanout.ONE;

  /**
   * {@code none} is the baseline; {@code content-type} (a diagnostic) adds one header, the
   * Content-Type a peer naming its codec sends (and a {@link io.agentbus.MessageBus} sent with
   * Protobuf until it went without), to show what carrying headers costs jnats and the server
   * apart from anything the bus does.
   */
  @Param({"none", HEADER_CONTENT_TYPE})
  public String headers = "none";

  /**
   * Diagnostic: CPU work ({@link Blackhole#consumeCPU} tokens) before each publish, to see how
   * jnats behaves when its publisher is as slow as one that encodes each message.
   */
  @Param({"0"})
  public int publishWork;

  private final ReceiveCounter counter = new ReceiveCounter();
  private io.nats.client.impl.@Nullable Headers natsHeaders;
  private final List<Dispatcher> dispatchers = new ArrayList<>();
  private Connection publisher;
  private Connection subscriber;
  private String subject;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    bytes = Codecs.named(payload).encode(BenchMessages.statusUpdate());
    if (headers.equals(HEADER_CONTENT_TYPE)) {
      natsHeaders = new io.nats.client.impl.Headers()
          .add("Content-Type", Codecs.named(payload).contentType());
    } else if (!headers.equals("none")) {
      throw new IllegalArgumentException("headers must be none or " + HEADER_CONTENT_TYPE
          + ", was " + headers);
    }
    subject = BenchMessages.pubSubSubject(fanout);
    publisher = Nats.connect(options("bench-raw-publisher"));
    subscriber = Nats.connect(options("bench-raw-subscriber"));
    if (fanout.equals(BenchMessages.Fanout.ONE)) {
      Dispatcher d = subscriber.createDispatcher(m -> counter.onMessage());
      d.subscribe(subject);
      dispatchers.add(d);
    } else {
      // one dispatcher (thread) per worker, as three workers of a queue would have
      for (int i = 0; i < BenchMessages.QUEUE_WORKERS; i++) {
        Dispatcher d = subscriber.createDispatcher(m -> counter.onMessage());
        d.subscribe(subject, BenchMessages.QUEUE);
        dispatchers.add(d);
      }
    }
    subscriber.flush(Duration.ofSeconds(5));
  }

  static Options options(String name) {
    return new Options.Builder().server(BenchEnv.natsUrl()).connectionName(name)
        .maxReconnects(0).build();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void publishAndReceive() {
    counter.expect(BATCH);
    for (int i = 0; i < BATCH; i++) {
      if (publishWork > 0) {
        Blackhole.consumeCPU(publishWork);
      }
      publisher.publish(subject, null, natsHeaders, bytes);
    }
    counter.awaitExpected(BATCH_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      counter.verifyComplete("raw jnats " + fanout);
      long dropped = subscriber.getStatistics().getDroppedCount();
      if (dropped != 0) {
        throw new IllegalStateException("raw jnats subscriber dropped " + dropped + " messages");
      }
    } finally {
      publisher.close();
      subscriber.close();
    }
  }
}
