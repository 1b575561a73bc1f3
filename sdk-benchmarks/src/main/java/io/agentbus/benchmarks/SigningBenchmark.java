package io.agentbus.benchmarks;

import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import io.agentbus.security.TrustedKeys;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Ed25519Provider;
import io.agentbus.spi.Providers;
import io.agentbus.spi.ReceivedMessage;
import io.agentbus.test.SeedFixtures;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.Map;
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

/**
 * What signed messages ({@link MessageSigning}) cost per message, beside the unsigned path of the
 * same run, with each Ed25519 implementation: the JDK's ({@code jdk}, the fallback of an
 * in-memory-only classpath) and jnats' {@code NKey} ({@code jnats}, chosen when
 * sdk-transport-nats is on the classpath). Measured: encoding with and without signing, decoding
 * with and without verifying (the signature check only: messages from a stream, without the
 * replay check's nonce bookkeeping), and an in-memory request/reply round trip between two buses
 * with signing off and with {@code require} (the requester signs the request and verifies the
 * reply, the responder the other way round).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SigningBenchmark {
  private static final String SUBJECT = "orchestrator.agent.architect-001.resource_request";

  private Codec codec;
  private AgentMessage message;
  private byte[] payload;
  private final Signed jdk = new Signed();
  private final Signed jnats = new Signed();
  private MessageBus plainRequester;
  private MessageBus plainResponder;
  private InMemoryServer server;

  /** One implementation's signing, a message it signed, and two buses that sign with it. */
  private final class Signed {
    MessageSigning signing;
    ReceivedMessage received;
    MessageBus requester;
    MessageBus responder;
    String responderId;

    void setUp(Ed25519Provider ed25519, String responderId, String seed, TrustedKeys trusted) {
      this.responderId = responderId;
      signing = signing(ed25519, seed, trusted);
      Headers signed = signing.beforePublish(SUBJECT, message, Headers.empty(), payload);
      received = new ReceivedMessage(SUBJECT, null, signed, payload, null, null);
      if (signing.beforeDecode(received) != null) {
        throw new IllegalStateException("the benchmark's own message does not verify with "
            + ed25519.name());
      }
      responder = bus(signing);
      requester = bus(signing(ed25519, seed, trusted));
      responder.subscribeToAgentMessages(responderId, d ->
          d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    }

    Headers encodeAndSign() {
      byte[] p = codec.encode(message);
      return signing.beforePublish(SUBJECT, message, Headers.empty(), p);
    }

    AgentMessage verifyAndDecode() {
      if (signing.beforeDecode(received) != null) {
        throw new IllegalStateException("refused");
      }
      return codec.decode(payload);
    }

    AgentMessage roundTrip() {
      return requester.endpoint("parser-dev-001").request(responderId,
          MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(5));
    }

    void close() {
      requester.close();
      responder.close();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    codec = Codecs.named(Codecs.JSON);
    message = SeedFixtures.named("resource-request").expected();
    payload = codec.encode(message);
    String seed = NKeys.encodeSeed(new byte[32]);
    String key = NKeys.fromSeed(seed).publicNKey();
    TrustedKeys trusted = TrustedKeys.of(Map.of(message.fromAgent(), key,
        "architect-002", key, "architect-003", key));
    server = InMemoryServer.create();
    plainResponder = bus(null);
    plainRequester = bus(null);
    plainResponder.subscribeToAgentMessages("architect-001", d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    jdk.setUp(Providers.ed25519("jdk"), "architect-002", seed, trusted);
    jnats.setUp(Providers.ed25519("jnats"), "architect-003", seed, trusted);
  }

  private static MessageSigning signing(Ed25519Provider ed25519, String seed,
      TrustedKeys trusted) {
    return MessageSigning.builder().mode(SigningMode.REQUIRE).seed(seed).trustedKeys(trusted)
        .ed25519(ed25519).build();
  }

  private MessageBus bus(MessageSigning s) {
    MessageBus.Builder b = MessageBus.builder().transport(InMemoryTransport.connectTo(server))
        .codec(codec);
    if (s != null) {
      b.addInterceptor(s);
    }
    return b.build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plainRequester.close();
    plainResponder.close();
    jdk.close();
    jnats.close();
  }

  @Benchmark
  public byte[] encodeUnsigned() {
    return codec.encode(message);
  }

  @Benchmark
  public Headers encodeAndSignJdk() {
    return jdk.encodeAndSign();
  }

  @Benchmark
  public Headers encodeAndSignJnats() {
    return jnats.encodeAndSign();
  }

  @Benchmark
  public AgentMessage decodeUnsigned() {
    return codec.decode(payload);
  }

  @Benchmark
  public AgentMessage verifyAndDecodeJdk() {
    return jdk.verifyAndDecode();
  }

  @Benchmark
  public AgentMessage verifyAndDecodeJnats() {
    return jnats.verifyAndDecode();
  }

  @Benchmark
  public AgentMessage roundTripUnsigned() {
    return plainRequester.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(5));
  }

  @Benchmark
  public AgentMessage roundTripSignedJdk() {
    return jdk.roundTrip();
  }

  @Benchmark
  public AgentMessage roundTripSignedJnats() {
    return jnats.roundTrip();
  }
}
