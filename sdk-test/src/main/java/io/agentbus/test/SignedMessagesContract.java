package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.RequestTimeoutException;
import io.agentbus.security.MessageSigning;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import io.agentbus.security.TrustedKeys;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Signed messages ({@link MessageSigning}) on any transport: in {@code require} mode a message
 * that is unsigned, signed by an untrusted key, altered, sent to another subject, replayed, or
 * signed by one agent as another never reaches a handler (it is counted, dead-lettered with the
 * reason, and a request gets no answer); signed requests and replies are served; a forged reply
 * is discarded and the requester gets the real one. Each scenario prints a {@code
 * SECURITY-FIGURES} line.
 */
public abstract class SignedMessagesContract {
  protected static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PARSER = "parser-dev-001";
  private static final String ARCHITECT = "architect-001";

  private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());

  /** A new transport connected to the same server as the others in this test. */
  protected abstract Transport newTransport();

  protected abstract Codec codec();

  static String seed(int first) {
    byte[] raw = new byte[32];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (first + i);
    }
    return NKeys.encodeSeed(raw);
  }

  private static final String PARSER_SEED = seed(0);
  private static final String ARCHITECT_SEED = seed(100);
  private static final String MALLORY_SEED = seed(200);
  private static final TrustedKeys TRUSTED = TrustedKeys.of(Map.of(
      PARSER, NKeys.fromSeed(PARSER_SEED).publicNKey(),
      ARCHITECT, NKeys.fromSeed(ARCHITECT_SEED).publicNKey()));

  private MessageBus bus(String seed) {
    MessageBus b = MessageBus.builder().transport(newTransport()).codec(codec())
        .addInterceptor(signing(seed, SigningMode.REQUIRE)).build();
    closeables.add(b);
    return b;
  }

  private static MessageSigning signing(String seed, SigningMode mode) {
    return MessageSigning.builder().mode(mode).seed(seed).trustedKeys(TRUSTED).build();
  }

  private Transport raw() {
    Transport t = newTransport();
    closeables.add(t);
    return t;
  }

  @AfterEach
  void close() throws Exception {
    synchronized (closeables) {
      for (AutoCloseable c : closeables) {
        c.close();
      }
      closeables.clear();
    }
  }

  @Test
  void signedRequestsAreServedAndForgedOnesNeverReachTheHandler() throws Exception {
    MessageBus architect = bus(ARCHITECT_SEED);
    MessageBus parser = bus(PARSER_SEED);
    BlockingQueue<Delivery> dead = new LinkedBlockingQueue<>();
    MessageBus watcher = MessageBus.builder().transport(newTransport()).codec(codec()).build();
    closeables.add(watcher);
    watcher.subscribe(watcher.subjects().deadLetter(), dead::add);
    List<AgentMessage> handled = Collections.synchronizedList(new ArrayList<>());
    architect.subscribeToAgentMessages(ARCHITECT, d -> {
      handled.add(d.message());
      if (d.isRequest()) {
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready"));
      }
    });
    Transport tap = raw();
    BlockingQueue<TransportMessage> seen = new LinkedBlockingQueue<>();
    tap.subscribe("orchestrator.agent.architect-001.>", null, seen::add);
    tap.flush(WAIT);
    watcher.flush(WAIT);
    architect.flush(WAIT);

    AgentMessage reply = parser.endpoint(PARSER).request(ARCHITECT,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
    assertThat(reply.content()).containsEntry("status", "ready");
    assertThat(reply.fromAgent()).isEqualTo(ARCHITECT);
    TransportMessage real = Objects.requireNonNull(seen.poll(WAIT.toMillis(),
        TimeUnit.MILLISECONDS));
    assertThat(real.headers().first(MessageSigning.SIGNATURE)).isNotBlank();

    Transport attacker = raw();
    String subject = real.subject();
    AgentMessage claim = AgentMessage.builder().fromAgent(PARSER).toAgent(ARCHITECT)
        .messageType(MessageType.TASK_ASSIGNMENT).content(Map.of("task", "rm -rf"))
        .timestamp(Instant.now()).correlationId("parser-dev-001-1-1").build();
    String taskSubject = "orchestrator.agent.architect-001.task_assignment";
    byte[] claimBytes = codec().encode(claim);
    // unsigned
    attacker.publish(taskSubject, null, Headers.empty(), claimBytes);
    // signed by mallory, whose key nobody trusts, as mallory
    attacker.publish(taskSubject, null, signAs(MALLORY_SEED, "mallory", taskSubject, claimBytes),
        claimBytes);
    // signed by mallory's key, claiming to be the parser
    attacker.publish(taskSubject, null, signAs(MALLORY_SEED, PARSER, taskSubject, claimBytes),
        claimBytes);
    // the real request, altered
    byte[] altered = real.payload().clone();
    altered[altered.length / 2] ^= 0x01;
    attacker.publish(subject, null, real.headers(), altered);
    // the real request, replayed as it was
    attacker.publish(subject, null, real.headers(), real.payload());
    // the real request, to another subject
    attacker.publish(taskSubject, null, real.headers(), real.payload());
    // signed by the parser's real key, but claiming to be from the architect itself
    AgentMessage asArchitect = AgentMessage.builder().fromAgent(ARCHITECT).toAgent(ARCHITECT)
        .messageType(MessageType.TASK_ASSIGNMENT).content(Map.of("task", "x"))
        .timestamp(Instant.now()).build();
    byte[] asArchitectBytes = codec().encode(asArchitect);
    attacker.publish(taskSubject, null, signAs(PARSER_SEED, PARSER, taskSubject,
        asArchitectBytes), asArchitectBytes);
    // and a forged request that waits for an answer: it gets none
    assertThatThrownBy(() -> attacker.requestAndWait(taskSubject, Headers.empty(), claimBytes,
        Duration.ofMillis(300))).isInstanceOf(RequestTimeoutException.class);
    int attempted = 8;

    List<String> errors = new ArrayList<>();
    for (int i = 0; i < attempted; i++) {
      Delivery letter = Objects.requireNonNull(dead.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS),
          "dead letter " + (i + 1) + " of " + attempted);
      errors.add(letter.headers().first(Headers.ERROR));
    }
    assertThat(errors).allSatisfy(e -> assertThat(e).startsWith("refused: "));
    assertThat(String.join("\n", errors)).contains("refused: unsigned")
        .contains("refused: untrusted").contains("refused: altered")
        .contains("refused: replayed");
    assertThat(handled).hasSize(1); // the real request only
    assertThat(architect.stats().refused()).isEqualTo(attempted);
    System.out.println("SECURITY-FIGURES scenario=signed-requests transport="
        + getClass().getSimpleName() + " attempted=" + attempted + " refused="
        + architect.stats().refused() + " leaked=" + (handled.size() - 1));
  }

  @Test
  void aForgedReplyIsDiscardedAndTheSignedOneTaken() throws Exception {
    MessageBus architect = bus(ARCHITECT_SEED);
    MessageBus parser = bus(PARSER_SEED);
    Transport forger = raw();
    CountDownLatch forged = new CountDownLatch(1);
    forger.subscribe("orchestrator.agent.architect-001.>", null, m -> {
      String inbox = Objects.requireNonNull(m.replyTo());
      AgentMessage request = codec().decode(m.payload());
      byte[] fake = codec().encode(AgentMessage.builder().fromAgent(ARCHITECT)
          .toAgent(request.fromAgent()).messageType(MessageType.RESOURCE_RESPONSE)
          .content(Map.of("status", "forged")).timestamp(Instant.now())
          .correlationId(request.correlationId()).build());
      forger.publish(inbox, null, Headers.empty(), fake); // unsigned
      forger.publish(inbox, null, signAs(MALLORY_SEED, ARCHITECT, m.subject(), fake), fake);
      forger.publish(inbox, null, Headers.builder().add(Headers.ERROR, "Forged: no")
          .add(Headers.CORRELATION_ID, Objects.requireNonNull(request.correlationId())).build(),
          new byte[0]); // an unsigned error reply
      forger.flush(WAIT);
      forged.countDown();
    });
    architect.subscribeToAgentMessages(ARCHITECT, d -> {
      assertThat(forged.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready"));
    });
    forger.flush(WAIT);
    architect.flush(WAIT);

    AgentMessage reply = parser.endpoint(PARSER).request(ARCHITECT,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
    assertThat(reply.content()).containsEntry("status", "ready");
    assertThat(parser.stats().repliesRefused()).isEqualTo(3);
    System.out.println("SECURITY-FIGURES scenario=signed-reply-forgery transport="
        + getClass().getSimpleName() + " attempted=3 refused="
        + parser.stats().repliesRefused() + " leaked=0");
  }

  @Test
  void anErrorReplyIsSignedAndFailsTheRequesterAtOnce() throws Exception {
    MessageBus architect = bus(ARCHITECT_SEED);
    MessageBus parser = bus(PARSER_SEED);
    architect.subscribeToAgentMessages(ARCHITECT, d -> {
      throw new IllegalStateException("no resource named secret");
    });
    architect.flush(WAIT);
    assertThatThrownBy(() -> parser.endpoint(PARSER).request(ARCHITECT,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "secret"), WAIT))
        .hasMessageContaining("no resource named secret");
    assertThat(parser.stats().repliesRefused()).isZero();
  }

  /** Headers of {@code payload} signed with {@code seed} as {@code signer}, now. */
  static Headers signAs(String seed, String signer, String subject, byte[] payload)
      throws Exception {
    String ts = Long.toString(System.currentTimeMillis());
    String nonce = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(java.util.UUID.randomUUID().toString().getBytes()).substring(0, 22);
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(NKeys.fromSeed(seed).privateKey());
    s.update(MessageSigning.signingInput(signer, subject, "", ts, nonce, payload));
    return Headers.builder().add(MessageSigning.SIGNER, signer)
        .add(MessageSigning.TIMESTAMP, ts).add(MessageSigning.NONCE, nonce)
        .add(MessageSigning.SIGNATURE,
            Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign())).build();
  }
}
