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
 * same run: encoding with and without signing, decoding with and without verifying (the signature
 * check only: messages from a stream, without the replay check's nonce bookkeeping), and an
 * in-memory request/reply round trip between two buses with signing off and with {@code require}
 * (the requester signs the request and verifies the reply, the responder the other way round).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SigningBenchmark {
  private static final String SUBJECT = "orchestrator.agent.architect-001.resource_request";

  private Codec codec;
  private AgentMessage message;
  private byte[] payload;
  private Headers signed;
  private MessageSigning signing;
  private ReceivedMessage received;
  private MessageBus plainRequester;
  private MessageBus signedRequester;
  private MessageBus plainResponder;
  private MessageBus signedResponder;

  @Setup(Level.Trial)
  public void setUp() {
    codec = Codecs.named(Codecs.JSON);
    message = SeedFixtures.named("resource-request").expected();
    payload = codec.encode(message);
    String seed = NKeys.encodeSeed(new byte[32]);
    String key = NKeys.fromSeed(seed).publicNKey();
    TrustedKeys trusted = TrustedKeys.of(Map.of(message.fromAgent(), key,
        "architect-002", key));
    signing = MessageSigning.builder().mode(SigningMode.REQUIRE).seed(seed).trustedKeys(trusted)
        .build();
    signed = signing.beforePublish(SUBJECT, message, Headers.empty(), payload);
    received = new ReceivedMessage(SUBJECT, null, signed, payload, null, null);
    if (signing.beforeDecode(received) != null) {
      throw new IllegalStateException("the benchmark's own message does not verify");
    }
    InMemoryServer server = InMemoryServer.create();
    plainResponder = bus(server, null);
    plainRequester = bus(server, null);
    signedResponder = bus(server, signing);
    signedRequester = bus(server, MessageSigning.builder().mode(SigningMode.REQUIRE).seed(seed)
        .trustedKeys(trusted).build());
    plainResponder.subscribeToAgentMessages("architect-001", d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    signedResponder.subscribeToAgentMessages("architect-002", d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
  }

  private MessageBus bus(InMemoryServer server, MessageSigning s) {
    MessageBus.Builder b = MessageBus.builder().transport(InMemoryTransport.connectTo(server))
        .codec(codec);
    if (s != null) {
      b.addInterceptor(s);
    }
    return b.build();
  }

  private io.nats.client.NKey natsKey;
  private io.nats.client.NKey natsPublic;
  private byte[] input;
  private byte[] natsSignature;

  @Setup(Level.Trial)
  public void setUpJnats() throws Exception {
    // the same Ed25519 with jnats' own implementation, for comparison with the JDK's
    String seed = NKeys.encodeSeed(new byte[32]);
    natsKey = io.nats.client.NKey.fromSeed(seed.toCharArray());
    natsPublic = io.nats.client.NKey.fromPublicKey(natsKey.getPublicKey());
    input = MessageSigning.signingInput("parser-dev-001", SUBJECT, "", "1733409130004",
        "ZmZmZmZmZmZmZmZmZmZmZg", codec.encode(SeedFixtures.named("resource-request")
            .expected()));
    natsSignature = natsKey.sign(input);
  }

  @Benchmark
  public byte[] jnatsNKeySign() throws Exception {
    return natsKey.sign(input);
  }

  @Benchmark
  public boolean jnatsNKeyVerify() throws Exception {
    return natsPublic.verify(input, natsSignature);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plainRequester.close();
    signedRequester.close();
    plainResponder.close();
    signedResponder.close();
  }

  @Benchmark
  public byte[] encodeUnsigned() {
    return codec.encode(message);
  }

  @Benchmark
  public Headers encodeAndSign() {
    byte[] p = codec.encode(message);
    return signing.beforePublish(SUBJECT, message, Headers.empty(), p);
  }

  @Benchmark
  public AgentMessage decodeUnsigned() {
    return codec.decode(payload);
  }

  @Benchmark
  public AgentMessage verifyAndDecode() {
    if (signing.beforeDecode(received) != null) {
      throw new IllegalStateException("refused");
    }
    return codec.decode(payload);
  }

  @Benchmark
  public AgentMessage roundTripUnsigned() {
    return plainRequester.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(5));
  }

  @Benchmark
  public AgentMessage roundTripSigned() {
    return signedRequester.endpoint("parser-dev-001").request("architect-002",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(5));
  }
}
