package io.agentbus.benchmarks;

import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import io.agentbus.security.TrustedKeys;
import io.agentbus.spi.Providers;
import io.agentbus.spi.Transport;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.Map;
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
 * End-to-end throughput over NATS with signed messages, beside raw jnats in the same run (issue
 * 18): {@link #publishAndReceive} broadcasts the status update from one connection to a handler
 * on another (one operation is one message handled), {@link #requestReply} runs the resource
 * request and its response in lockstep (one operation is one round trip). {@link #path} is
 * {@code raw} (jnats alone, the same bytes), {@code off} (a {@link MessageBus}, signing off), or
 * {@code <mode>-<ed25519>}: a bus with {@code agentbus.security.signing} {@code sign} or {@code
 * require}, signing and verifying with that Ed25519 implementation ({@code sign-jnats}, {@code
 * require-jdk}, ...). With signing on, every message is signed by its sender and verified by its
 * receiver, replies included. Run by {@code bench/run.sh signed}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SignedNatsBenchmark {
  static final String RAW = "raw";
  /** Messages per pub/sub invocation: fewer than the unsigned benchmarks', signing is slow. */
  static final int BATCH = 200;

  @Param({RAW, "off", "sign-jnats", "require-jnats", "sign-jdk", "require-jdk"})
  public String path = RAW;

  private final ReceiveCounter counter = new ReceiveCounter();
  private Connection rawA;
  private Connection rawB;
  private byte[] statusBytes;
  private byte[] requestBytes;
  private MessageBus a;
  private MessageBus b;
  private AgentEndpoint publisher;
  private AgentEndpoint requester;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (path.equals(RAW)) {
      setUpRaw();
      return;
    }
    int dash = path.indexOf('-');
    SigningMode mode = SigningMode.of(dash < 0 ? path : path.substring(0, dash));
    String ed25519 = dash < 0 ? "" : path.substring(dash + 1);
    if ((mode == SigningMode.OFF) != ed25519.isEmpty()) {
      throw new IllegalArgumentException("path must be raw, off or <sign|require>-<ed25519>, was "
          + path);
    }
    Transport[] pair = BusFixture.transports(BusFixture.NATS, "bench-signed-a", "bench-signed-b");
    a = bus(pair[0], mode, ed25519);
    b = bus(pair[1], mode, ed25519);
    publisher = a.endpoint(BenchMessages.PUBLISHER);
    requester = a.endpoint(BenchMessages.REQUESTER);
    b.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> counter.onMessage());
    b.subscribeToAgentMessages(BenchMessages.RESPONDER,
        d -> d.reply(MessageType.RESOURCE_RESPONSE, BenchMessages.RESPONSE_CONTENT));
    a.flush(Duration.ofSeconds(5));
    b.flush(Duration.ofSeconds(5));
  }

  private void setUpRaw() throws Exception {
    statusBytes = Codecs.named(Codecs.JSON).encode(BenchMessages.statusUpdate());
    requestBytes = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceRequest());
    byte[] reply = Codecs.named(Codecs.JSON).encode(BenchMessages.resourceResponse());
    rawA = Nats.connect(RawNatsPubSubBenchmark.options("bench-raw-a"));
    rawB = Nats.connect(RawNatsPubSubBenchmark.options("bench-raw-b"));
    rawB.createDispatcher(m -> counter.onMessage()).subscribe(BenchMessages.BROADCAST_SUBJECT);
    rawB.createDispatcher(m -> rawB.publish(m.getReplyTo(), reply))
        .subscribe(BenchMessages.SUBJECTS.allDirect(BenchMessages.RESPONDER));
    rawB.flush(Duration.ofSeconds(5));
  }

  /** Both sides sign with one key, trusted for every agent id the benchmark uses. */
  private static MessageBus bus(Transport transport, SigningMode mode, String ed25519) {
    MessageBus.Builder builder = MessageBus.builder().transport(transport)
        .codec(Codecs.named(Codecs.JSON));
    if (mode != SigningMode.OFF) {
      String seed = NKeys.encodeSeed(new byte[32]);
      String key = NKeys.fromSeed(seed).publicNKey();
      builder.addInterceptor(MessageSigning.builder().mode(mode).seed(seed)
          .ed25519(Providers.ed25519(ed25519))
          .trustedKeys(TrustedKeys.of(Map.of(BenchMessages.PUBLISHER, key,
              BenchMessages.REQUESTER, key)))
          .build());
    }
    return builder.build();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void publishAndReceive() {
    counter.expect(BATCH);
    for (int i = 0; i < BATCH; i++) {
      if (a == null) {
        rawA.publish(BenchMessages.BROADCAST_SUBJECT, statusBytes);
      } else {
        publisher.broadcast(MessageType.STATUS_UPDATE, BenchMessages.STATUS_CONTENT);
      }
    }
    counter.awaitExpected(RawNatsPubSubBenchmark.BATCH_TIMEOUT);
  }

  @Benchmark
  public Object requestReply() throws InterruptedException {
    if (a != null) {
      AgentMessage m = requester.request(BenchMessages.RESPONDER, MessageType.RESOURCE_REQUEST,
          BenchMessages.REQUEST_CONTENT, RawNatsRequestReplyBenchmark.TIMEOUT);
      return m;
    }
    Message m = rawA.request(BenchMessages.REQUEST_SUBJECT, requestBytes,
        RawNatsRequestReplyBenchmark.TIMEOUT);
    if (m == null) {
      throw new IllegalStateException("No reply within " + RawNatsRequestReplyBenchmark.TIMEOUT);
    }
    return m;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      counter.verifyComplete("signed NATS " + path);
      if (a != null) {
        for (MessageBus bus : new MessageBus[] {a, b}) {
          var s = bus.stats();
          if (s.decodeFailures() + s.handlerFailures() + s.deadLettered() != 0) {
            throw new IllegalStateException("signing " + path + ": messages failed or were "
                + "refused: " + s);
          }
        }
      }
    } finally {
      for (AutoCloseable c : new AutoCloseable[] {a, b, rawA, rawB}) {
        if (c != null) {
          c.close();
        }
      }
    }
  }
}
