package io.agentbus.benchmarks;

import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import io.agentbus.test.SeedFixtures;
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

/**
 * Encode and decode cost of each codec on the seed's example messages ({@link SeedFixtures}).
 * Decoding reads what the same codec encoded, i.e. what a Java peer receives. The encoded sizes
 * are printed by the summary ({@link SummaryTable}), which encodes the same fixtures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  @Param({Codecs.JSON, Codecs.PROTOBUF})
  public String codec = Codecs.JSON;

  @Param({"heartbeat-python-isoformat", "question-direct", "resource-request",
      "resource-response", "status-update-broadcast", "task-assignment-queue",
      "task-complete-broadcast"})
  public String fixture = "resource-request";

  private Codec theCodec;
  private AgentMessage message;
  private byte[] encoded;

  @Setup(Level.Trial)
  public void setUp() {
    theCodec = Codecs.named(codec);
    message = SeedFixtures.named(fixture).expected();
    encoded = theCodec.encode(message);
    AgentMessage back = theCodec.decode(encoded);
    if (!back.equals(message)) {
      throw new IllegalStateException(codec + " does not round-trip " + fixture + ": " + message
          + " came back as " + back);
    }
  }

  @Benchmark
  public byte[] encode() {
    return theCodec.encode(message);
  }

  @Benchmark
  public AgentMessage decode() {
    return theCodec.decode(encoded);
  }
}
