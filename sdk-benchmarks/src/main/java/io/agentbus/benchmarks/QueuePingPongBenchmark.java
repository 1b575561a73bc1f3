package io.agentbus.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Baseline for in-process request/reply latency: the least a cross-thread request can cost with
 * the JDK alone. A requester puts the request bytes and a {@link CompletableFuture} on a {@link
 * LinkedBlockingQueue}; a responder thread takes it and completes the future with the reply bytes.
 * No codec, no subjects. Same two variants as the transports: lockstep, and {@value
 * RawNatsRequestReplyBenchmark#IN_FLIGHT} requesting threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueuePingPongBenchmark {
  private static final class Exchange {
    final byte[] request;
    final CompletableFuture<byte[]> reply = new CompletableFuture<>();

    Exchange(byte[] request) {
      this.request = request;
    }
  }

  private static final Exchange STOP = new Exchange(new byte[0]);

  private final LinkedBlockingQueue<Exchange> queue = new LinkedBlockingQueue<>();
  private byte[] request;
  private byte[] reply;
  private Thread responder;

  @Setup(Level.Trial)
  public void setUp() {
    request = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceRequest());
    reply = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceResponse());
    responder = new Thread(this::respond, "bench-pingpong-responder");
    responder.setDaemon(true);
    responder.start();
  }

  private void respond() {
    try {
      while (true) {
        Exchange e = queue.take();
        if (e == STOP) {
          return;
        }
        e.reply.complete(e.request.length > 0 ? reply : new byte[0]);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Benchmark
  public byte[] lockstep() throws Exception {
    return exchange();
  }

  @Benchmark
  @Threads(RawNatsRequestReplyBenchmark.IN_FLIGHT)
  public byte[] inFlight() throws Exception {
    return exchange();
  }

  private byte[] exchange() throws Exception {
    Exchange e = new Exchange(request);
    queue.put(e);
    return e.reply.get(RawNatsRequestReplyBenchmark.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    queue.put(STOP);
    responder.join(5000);
  }
}
