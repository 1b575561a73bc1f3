package io.agentbus.benchmarks;

import io.agentbus.Headers;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * A transport's request/reply alone, without the bus or a codec: the pre-encoded JSON request and
 * response through the {@link Transport} SPI with no headers (as the bus sends JSON), the same
 * shape as {@link RawNatsRequestReplyBenchmark} and {@link BusRequestReplyBenchmark}. It separates
 * the transport's share of the bus latency from the codec's and the bus's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TransportRequestReplyBenchmark {
  @Param({BusFixture.NATS, BusFixture.INMEMORY})
  public String transport = BusFixture.NATS;

  private final Headers headers = Headers.empty();
  private Transport requester;
  private Transport responder;
  private byte[] request;

  @Setup(Level.Trial)
  public void setUp() {
    request = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceRequest());
    byte[] reply = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceResponse());
    Transport[] pair = BusFixture.transports(transport, "bench-transport-requester",
        "bench-transport-responder");
    requester = pair[0];
    responder = pair[1];
    responder.subscribe(BenchMessages.SUBJECTS.allDirect(BenchMessages.RESPONDER), null,
        m -> responder.publish(Objects.requireNonNull(m.replyTo(), "replyTo"), null, headers,
            reply));
    responder.flush(Duration.ofSeconds(5));
  }

  @Benchmark
  public TransportMessage lockstep() throws Exception {
    return request();
  }

  @Benchmark
  @Threads(RawNatsRequestReplyBenchmark.IN_FLIGHT)
  public TransportMessage inFlight() throws Exception {
    return request();
  }

  private TransportMessage request() throws Exception {
    return requester.request(BenchMessages.REQUEST_SUBJECT, headers, request,
        RawNatsRequestReplyBenchmark.TIMEOUT).get();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      long lost = requester.stats().dropped() + responder.stats().dropped()
          + responder.stats().handlerFailures();
      if (lost != 0) {
        throw new IllegalStateException(transport + " transport request/reply lost or failed "
            + lost + " messages: " + requester.stats() + " " + responder.stats());
      }
    } finally {
      requester.close();
      responder.close();
    }
  }
}
