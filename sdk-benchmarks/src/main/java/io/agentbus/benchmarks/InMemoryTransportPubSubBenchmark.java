package io.agentbus.benchmarks;

import io.agentbus.Headers;
import io.agentbus.spi.Transport;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
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

/**
 * The in-memory transport alone, without the bus: pre-encoded JSON bytes published through the
 * {@link io.agentbus.spi.Transport} SPI, counted by a handler, the same shape as {@link
 * RawNatsPubSubBenchmark}. It separates the transport's share of the in-memory bus figures from
 * the codec's and the bus's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InMemoryTransportPubSubBenchmark extends WindowedBenchmark {
  @Param({BenchMessages.Fanout.ONE, BenchMessages.Fanout.QUEUE3})
  public String fanout = BenchMessages.Fanout.ONE;

  private final ReceiveCounter counter = new ReceiveCounter();
  private Transport publisher;
  private Transport subscriber;
  private String subject;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() {
    bytes = Codecs.named(Codecs.JSON).encode(BenchMessages.statusUpdate());
    subject = BenchMessages.pubSubSubject(fanout);
    InMemoryServer server = InMemoryServer.create();
    publisher = InMemoryTransport.connectTo(server);
    subscriber = InMemoryTransport.connectTo(server);
    if (fanout.equals(BenchMessages.Fanout.ONE)) {
      subscriber.subscribe(subject, null, m -> counter.onMessage());
    } else {
      for (int i = 0; i < BenchMessages.QUEUE_WORKERS; i++) {
        subscriber.subscribe(subject, BenchMessages.QUEUE, m -> counter.onMessage());
      }
    }
    subscriber.flush(Duration.ofSeconds(5));
  }

  @Benchmark
  @OperationsPerInvocation(RawNatsPubSubBenchmark.BATCH)
  public void publishAndReceive() {
    counter.expect(RawNatsPubSubBenchmark.BATCH);
    for (int i = 0; i < RawNatsPubSubBenchmark.BATCH; i++) {
      publisher.publish(subject, null, Headers.empty(), bytes);
    }
    counter.awaitExpected(RawNatsPubSubBenchmark.BATCH_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      counter.verifyComplete("in-memory transport " + fanout);
      long dropped = subscriber.stats().dropped() + publisher.stats().dropped();
      if (dropped != 0) {
        throw new IllegalStateException("in-memory transport dropped " + dropped + " messages");
      }
    } finally {
      publisher.close();
      subscriber.close();
    }
  }
}
