package io.agentbus.benchmarks;

import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
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
 * {@link io.agentbus.MessageBus} request/reply latency, the same shape as {@link
 * RawNatsRequestReplyBenchmark} and {@link QueuePingPongBenchmark}: the requester's bus sends the
 * seed's resource request to {@code architect-001}, whose bus decodes it and replies with the
 * resource response, which the requester decodes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BusRequestReplyBenchmark {
  @Param({BusFixture.NATS, BusFixture.INMEMORY})
  public String transport = BusFixture.NATS;

  @Param({Codecs.JSON, Codecs.PROTOBUF})
  public String codec = Codecs.JSON;

  private BusFixture buses;
  private AgentEndpoint requester;

  @Setup(Level.Trial)
  public void setUp() {
    buses = BusFixture.create(transport, codec, "bench-bus-requester", "bench-bus-responder");
    requester = buses.a.endpoint(BenchMessages.REQUESTER);
    buses.b.subscribeToAgentMessages(BenchMessages.RESPONDER,
        d -> d.reply(MessageType.RESOURCE_RESPONSE, BenchMessages.RESPONSE_CONTENT));
    buses.flush();
  }

  @Benchmark
  public AgentMessage lockstep() {
    return request();
  }

  @Benchmark
  @Threads(RawNatsRequestReplyBenchmark.IN_FLIGHT)
  public AgentMessage inFlight() {
    return request();
  }

  private AgentMessage request() {
    return requester.request(BenchMessages.RESPONDER, MessageType.RESOURCE_REQUEST,
        BenchMessages.REQUEST_CONTENT, RawNatsRequestReplyBenchmark.TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      buses.verifyNothingLost("MessageBus request/reply " + transport + "/" + codec);
    } finally {
      buses.close();
    }
  }
}
