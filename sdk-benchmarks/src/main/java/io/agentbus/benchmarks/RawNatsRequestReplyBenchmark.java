package io.agentbus.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.time.Duration;
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
 * Baseline for NATS request/reply latency: raw jnats requests carrying the bytes a codec makes of
 * the seed's resource request, answered by a responder on another connection with the bytes of the
 * resource response. {@link #lockstep} has one request outstanding; {@link #inFlight} runs {@value
 * #IN_FLIGHT} requesting threads, so that many requests are in flight at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RawNatsRequestReplyBenchmark {
  /** Requests outstanding at once in the in-flight variants. */
  static final int IN_FLIGHT = 16;
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Param({Codecs.JSON, Codecs.PROTOBUF})
  public String payload = Codecs.JSON;

  private Connection requester;
  private Connection responder;
  private byte[] request;
  private byte[] reply;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    request = Codecs.named(payload).encode(BenchMessages.resourceRequest());
    reply = Codecs.named(payload).encode(BenchMessages.resourceResponse());
    requester = Nats.connect(RawNatsPubSubBenchmark.options("bench-raw-requester"));
    responder = Nats.connect(RawNatsPubSubBenchmark.options("bench-raw-responder"));
    Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), reply));
    // the same wildcard subscription a bus agent makes for its direct messages
    d.subscribe(BenchMessages.SUBJECTS.allDirect(BenchMessages.RESPONDER));
    responder.flush(Duration.ofSeconds(5));
  }

  @Benchmark
  public Message lockstep() throws InterruptedException {
    return request();
  }

  @Benchmark
  @Threads(IN_FLIGHT)
  public Message inFlight() throws InterruptedException {
    return request();
  }

  private Message request() throws InterruptedException {
    Message m = requester.request(BenchMessages.REQUEST_SUBJECT, request, TIMEOUT);
    if (m == null) {
      throw new IllegalStateException("No reply within " + TIMEOUT + " on "
          + BenchMessages.REQUEST_SUBJECT);
    }
    return m;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    requester.close();
    responder.close();
  }
}
