package io.agentbus.benchmarks;

import io.agentbus.AgentEndpoint;
import io.agentbus.MessageType;
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
 * {@link io.agentbus.MessageBus} pub/sub throughput, the same shape as {@link
 * RawNatsPubSubBenchmark}: one publisher's bus broadcasts the status update (or publishes it to a
 * work queue of three workers), the subscriber's bus decodes it and calls a handler that counts
 * it. One operation is one message received; nothing lost goes unnoticed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BusPubSubBenchmark extends WindowedBenchmark {
  @Param({BusFixture.NATS, BusFixture.INMEMORY})
  public String transport = BusFixture.NATS;

  @Param({Codecs.JSON, Codecs.PROTOBUF})
  public String codec = Codecs.JSON;

  @Param({BenchMessages.Fanout.ONE, BenchMessages.Fanout.QUEUE3})
  public String fanout = BenchMessages.Fanout.ONE;

  private final ReceiveCounter counter = new ReceiveCounter();
  private BusFixture buses;
  private AgentEndpoint publisher;
  private boolean queue;

  @Setup(Level.Trial)
  public void setUp() {
    buses = BusFixture.create(transport, codec, "bench-bus-publisher", "bench-bus-subscriber");
    publisher = buses.a.endpoint(BenchMessages.PUBLISHER);
    queue = fanout.equals(BenchMessages.Fanout.QUEUE3);
    BenchMessages.pubSubSubject(fanout); // rejects an unknown fanout
    if (queue) {
      buses.b.createWorkQueue(BenchMessages.QUEUE, d -> counter.onMessage(),
          BenchMessages.QUEUE_WORKERS);
    } else {
      buses.b.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> counter.onMessage());
    }
    buses.flush();
  }

  @Benchmark
  @OperationsPerInvocation(RawNatsPubSubBenchmark.BATCH)
  public void publishAndReceive() {
    counter.expect(RawNatsPubSubBenchmark.BATCH);
    for (int i = 0; i < RawNatsPubSubBenchmark.BATCH; i++) {
      if (queue) {
        publisher.publishToQueue(BenchMessages.QUEUE, MessageType.STATUS_UPDATE,
            BenchMessages.STATUS_CONTENT);
      } else {
        publisher.broadcast(MessageType.STATUS_UPDATE, BenchMessages.STATUS_CONTENT);
      }
    }
    counter.awaitExpected(RawNatsPubSubBenchmark.BATCH_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      counter.verifyComplete("MessageBus " + transport + "/" + codec + " " + fanout);
      buses.verifyNothingLost("MessageBus " + transport + "/" + codec + " " + fanout);
    } finally {
      buses.close();
    }
  }
}
