package io.agentbus.benchmarks;

import io.agentbus.Headers;
import io.agentbus.spi.Transport;
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
 * A transport alone, without the bus: pre-encoded JSON bytes published through the {@link
 * io.agentbus.spi.Transport} SPI with no headers (as the bus sends JSON), counted by a handler, the
 * same shape as {@link RawNatsPubSubBenchmark}. It separates the transport's share of the bus
 * figures from the codec's and the bus's: raw jnats, then the NATS transport, then the bus.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransportPubSubBenchmark extends WindowedBenchmark {
  @Param({BusFixture.NATS, BusFixture.INMEMORY})
  public String transport = BusFixture.NATS;

  @Param({BenchMessages.Fanout.ONE, BenchMessages.Fanout.QUEUE3})
  public String fanout = BenchMessages.Fanout.ONE;

  /** None: the bus sends JSON, the wire's default, without a Content-Type header. */
  private final Headers headers = Headers.empty();

  private final ReceiveCounter counter = new ReceiveCounter();
  private Transport publisher;
  private Transport subscriber;
  private String subject;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() {
    bytes = Codecs.named(Codecs.JSON).encode(BenchMessages.statusUpdate());
    subject = BenchMessages.pubSubSubject(fanout);
    Transport[] pair = BusFixture.transports(transport, "bench-transport-publisher",
        "bench-transport-subscriber");
    publisher = pair[0];
    subscriber = pair[1];
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
      publisher.publish(subject, null, headers, bytes);
    }
    counter.awaitExpected(RawNatsPubSubBenchmark.BATCH_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      counter.verifyComplete(transport + " transport " + fanout);
      long dropped = subscriber.stats().dropped() + publisher.stats().dropped();
      if (dropped != 0) {
        throw new IllegalStateException(transport + " transport dropped " + dropped + " messages");
      }
    } finally {
      publisher.close();
      subscriber.close();
    }
  }
}
