package io.agentbus.benchmarks;

import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
 * Baseline for in-process request/reply latency: the least a cross-thread request can cost with
 * the JDK alone. A requester puts the request bytes and a {@link CompletableFuture} on a {@link
 * LinkedBlockingQueue}; a responder thread takes it and completes the future with the reply bytes.
 * No codec, no subjects. Same two variants as the transports: lockstep, and {@value
 * RawNatsRequestReplyBenchmark#IN_FLIGHT} requesting threads.
 *
 * <p>With {@code work} = {@value #CODEC_WORK}, a diagnostic row rather than the baseline, each
 * side also does the JSON codec work the bus does: the requester encodes the resource request and
 * decodes the response, the responder decodes the request and encodes the response. It separates
 * what the codec costs in this shape (many threads taking turns on few cores) from what the bus
 * and the transport add.
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

  /** The baseline: bytes only. */
  static final String NO_WORK = "none";
  /** The diagnostic: the bus's JSON encoding and decoding on both sides. */
  static final String CODEC_WORK = "json-codec";

  @Param({NO_WORK, CODEC_WORK})
  public String work = NO_WORK;

  private final Codec codec = Codecs.named(Codecs.JSON);
  private boolean codecWork;
  private AgentMessage requestMessage;
  private AgentMessage responseMessage;

  private final LinkedBlockingQueue<Exchange> queue = new LinkedBlockingQueue<>();
  private byte[] request;
  private byte[] reply;
  private Thread responder;

  @Setup(Level.Trial)
  public void setUp() {
    if (!work.equals(NO_WORK) && !work.equals(CODEC_WORK)) {
      throw new IllegalArgumentException("Unknown work '" + work + "'; expected " + NO_WORK
          + " or " + CODEC_WORK);
    }
    codecWork = work.equals(CODEC_WORK);
    requestMessage = BenchMessages.resourceRequest();
    responseMessage = BenchMessages.resourceResponse();
    request = codec.encode(requestMessage);
    reply = codec.encode(responseMessage);
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
        if (codecWork) {
          codec.decode(e.request);
          e.reply.complete(codec.encode(responseMessage));
        } else {
          e.reply.complete(e.request.length > 0 ? reply : new byte[0]);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Benchmark
  public Object lockstep() throws Exception {
    return exchange();
  }

  @Benchmark
  @Threads(RawNatsRequestReplyBenchmark.IN_FLIGHT)
  public Object inFlight() throws Exception {
    return exchange();
  }

  private Object exchange() throws Exception {
    Exchange e = new Exchange(codecWork ? codec.encode(requestMessage) : request);
    queue.put(e);
    byte[] r = e.reply.get(RawNatsRequestReplyBenchmark.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    return codecWork ? codec.decode(r) : r;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    queue.put(STOP);
    responder.join(5000);
  }
}
