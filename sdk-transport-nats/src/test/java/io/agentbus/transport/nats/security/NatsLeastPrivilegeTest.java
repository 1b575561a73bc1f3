package io.agentbus.transport.nats.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Headers;
import io.agentbus.PermissionDeniedException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.TransportMessage;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nats-server configured from {@link NatsAuthorization}'s output: three identities, each
 * with its NKey seed file and its own inbox prefix, and what each may and may not do.
 */
class NatsLeastPrivilegeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @TempDir
  static Path keys;

  static NatsAuthorization auth;
  static NatsServer server;
  private final List<NatsTransport> open = new ArrayList<>();

  @BeforeAll
  static void startServerFromTheGeneratedAuthorization() throws Exception {
    Properties roles = new Properties();
    roles.setProperty("identities", "alpha, beta, gamma");
    roles.setProperty("identity.alpha.agents", "agent-a");
    roles.setProperty("identity.alpha.talks-to", "agent-b");
    roles.setProperty("identity.alpha.sends", "task_complete");
    roles.setProperty("identity.beta.agents", "agent-b");
    roles.setProperty("identity.beta.works", "build");
    roles.setProperty("identity.beta.talks-to", "agent-c");
    roles.setProperty("identity.beta.listens", "task_complete");
    roles.setProperty("identity.gamma.agents", "agent-c");
    roles.setProperty("identity.gamma.publishes", "build");
    auth = NatsAuthorization.derive("orchestrator", NatsAuthorization.readRoles(roles), keys);
    auth.writeTo(keys);
    server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(Files.readString(keys.resolve("authorization.conf"))).build());
  }

  @AfterEach
  void closeTransports() {
    open.forEach(NatsTransport::close);
  }

  NatsTransport connect(String identity) {
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
        .nkeySeedFile(keys.resolve(identity + ".nk")).connectionName(identity).build());
    open.add(t);
    return t;
  }

  @Test
  void eachIdentityGetsItsOwnInboxPrefixByDefault() {
    NatsTransport a = connect("alpha");
    assertThat(a.config().inboxPrefix()).isEqualTo(auth.inboxPrefix("alpha"))
        .startsWith("_INBOX_U");
    assertThat(auth.inboxPrefix("alpha")).isNotEqualTo(auth.inboxPrefix("beta"));
    assertThat(auth.subscribeAllow("alpha")).contains(auth.inboxPrefix("alpha") + ".>")
        .doesNotContain("_INBOX.>");
    // publishing into inboxes: only its own (where nobody else listens), never _INBOX or B's
    assertThat(auth.publishAllow("alpha")).filteredOn(s -> s.startsWith("_INBOX"))
        .containsExactly(auth.inboxPrefix("alpha") + ".>");
  }

  @Test
  void aCannotSubscribeToBsDirectSubjectsNorToAnythingWider() throws Exception {
    NatsTransport a = connect("alpha");
    List<String> forbidden = List.of("orchestrator.agent.agent-b.*",
        "orchestrator.agent.agent-b.task_assignment", "orchestrator.>", ">",
        "orchestrator.queue.build", "orchestrator.broadcast.*");
    int refused = 0;
    for (String pattern : forbidden) {
      try {
        a.subscribe(pattern, null, m -> { });
      } catch (PermissionDeniedException e) {
        assertThat(e.operation()).isEqualTo(PermissionDeniedException.Operation.SUBSCRIBE);
        assertThat(e.subject()).isEqualTo(pattern);
        assertThat(e.getMessage()).contains(pattern).contains("denied");
        assertThat(e.isRetriable()).isFalse();
        refused++;
      }
    }
    assertThat(auth.connectionName("alpha")).isEqualTo("agentbus-alpha[agent-a]");
    assertThat(Files.readString(keys.resolve("alpha.env"))).contains(
        "AGENTBUS_NATS_CONNECTION_NAME=agentbus-alpha[agent-a]",
        "AGENTBUS_NATS_INBOX_PREFIX=" + auth.inboxPrefix("alpha"),
        "AGENTBUS_NATS_NKEY_SEED_FILE=" + keys.resolve("alpha.nk").toAbsolutePath());
    // its own direct subject is allowed, and a message to it arrives
    BlockingQueue<TransportMessage> mine = new LinkedBlockingQueue<>();
    a.subscribe("orchestrator.agent.agent-a.*", null, mine::add);
    SecurityFigures.print("subscribe-to-others-subjects", forbidden.size(), refused, 0);
    assertThat(refused).isEqualTo(forbidden.size());
  }

  /**
   * Subscriptions made at once share their confirming round trip, and jnats keeps only the
   * server's last error: each refused one must still fail with its own subject, and the allowed
   * ones made beside them must stand.
   */
  @Test
  void refusalsConfirmedInOneSharedRoundTripEachFailTheirOwnSubscription() throws Exception {
    NatsTransport a = connect("alpha");
    int n = 40;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // even: another agent's subject (refused); odd: its own (allowed)
        String pattern = i % 2 == 0 ? "orchestrator.agent.agent-b.t" + i
            : "orchestrator.agent.agent-a.t" + i;
        outcomes.add(pool.submit(() -> {
          go.await();
          try {
            a.subscribe(pattern, null, m -> { });
            return "allowed " + pattern;
          } catch (PermissionDeniedException e) {
            return "refused " + e.subject();
          }
        }));
      }
      go.countDown();
      for (int i = 0; i < n; i++) {
        String expected = i % 2 == 0 ? "refused orchestrator.agent.agent-b.t" + i
            : "allowed orchestrator.agent.agent-a.t" + i;
        assertThat(outcomes.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCannotReadBsRepliesWhileBGetsThem() throws Exception {
    NatsTransport a = connect("alpha");
    NatsTransport b = connect("beta");
    NatsTransport c = connect("gamma");
    c.subscribe("orchestrator.agent.agent-c.*", null, m ->
        c.publish(m.replyTo(), null, Headers.empty(), ("answer to " + new String(m.payload(),
            StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
    List<String> snoops = List.of(auth.inboxPrefix("beta") + ".>", "_INBOX.>", "*.>", ">");
    int refused = 0;
    for (String pattern : snoops) {
      try {
        a.subscribe(pattern, null, m -> { });
      } catch (PermissionDeniedException e) {
        refused++;
      }
    }
    int requests = 20;
    for (int i = 0; i < requests; i++) {
      TransportMessage reply = b.request("orchestrator.agent.agent-c.resource_request",
          Headers.empty(), ("q" + i).getBytes(StandardCharsets.UTF_8), WAIT)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(new String(reply.payload(), StandardCharsets.UTF_8)).isEqualTo("answer to q"
          + i);
      assertThat(reply.subject()).startsWith(auth.inboxPrefix("beta") + ".");
    }
    SecurityFigures.print("read-others-replies", snoops.size(), refused, 0);
    assertThat(refused).isEqualTo(snoops.size());
  }

  @Test
  void aCannotPublishToAQueueItHasNoRoleIn() throws Exception {
    NatsTransport a = connect("alpha");
    NatsTransport b = connect("beta");
    NatsTransport c = connect("gamma");
    BlockingQueue<TransportMessage> worked = new LinkedBlockingQueue<>();
    b.subscribe("orchestrator.queue.build", "build", worked::add);
    List<ConnectionEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.addConnectionListener(events::add);

    int attempts = 10;
    int refusedAtCall = 0;
    for (int i = 0; i < attempts; i++) {
      try {
        a.publish("orchestrator.queue.build", null, Headers.empty(), new byte[] {(byte) i});
      } catch (PermissionDeniedException e) {
        refusedAtCall++;
      }
      a.flush(WAIT); // the server's refusal arrives before the flush's answer
    }
    // the server refuses the first after the call returned; it is reported to the listeners,
    // and every later publish to the subject fails at the call
    await(() -> events.stream().anyMatch(e -> e.detail().contains("permission denied")
        && e.detail().contains("orchestrator.queue.build")));
    assertThat(refusedAtCall).isEqualTo(attempts - 1);

    c.publish("orchestrator.queue.build", null, Headers.empty(), new byte[] {42});
    TransportMessage legit = worked.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(legit).as("gamma's item, which it may publish").isNotNull();
    assertThat(legit.payload()).containsExactly(42);
    c.flush(WAIT);
    b.flush(WAIT);
    int leaked = worked.size();
    SecurityFigures.print("publish-to-foreign-queue", attempts, attempts - leaked, leaked);
    assertThat(leaked).isZero();
  }

  @Test
  void aDeniedRequestFailsWithATypedErrorNotATimeout() throws Exception {
    NatsTransport a = connect("alpha");
    NatsTransport c = connect("gamma");
    BlockingQueue<TransportMessage> reached = new LinkedBlockingQueue<>();
    c.subscribe("orchestrator.agent.agent-c.*", null, reached::add);
    CompletableFuture<TransportMessage> f = a.request("orchestrator.agent.agent-c.question",
        Headers.empty(), new byte[] {1}, Duration.ofMinutes(5));
    // fails long before its five minutes: get() waits at most WAIT
    assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("orchestrator.agent.agent-c.question");
    // and the next one fails at the call
    assertThatThrownBy(() -> a.request("orchestrator.agent.agent-c.question", Headers.empty(),
        new byte[] {2}, Duration.ofMinutes(5))).isInstanceOf(PermissionDeniedException.class);
    c.flush(WAIT);
    SecurityFigures.print("request-to-agent-without-role", 2, 2, reached.size());
    assertThat(reached).isEmpty();
  }

  @Test
  void anAllowedRequestIsAnsweredThroughAllowResponses() throws Exception {
    NatsTransport a = connect("alpha");
    NatsTransport b = connect("beta");
    b.subscribe("orchestrator.agent.agent-b.*", null,
        m -> b.publish(m.replyTo(), null, Headers.empty(), new byte[] {9}));
    TransportMessage reply = a.request("orchestrator.agent.agent-b.resource_request",
        Headers.empty(), new byte[] {1}, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reply.payload()).containsExactly(9);
    // beta has no publish right on alpha's inbox outside a response
    List<ConnectionEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    b.addConnectionListener(events::add);
    b.publish(auth.inboxPrefix("alpha") + ".forged", null, Headers.empty(), new byte[] {6});
    b.flush(WAIT);
    await(() -> events.stream().anyMatch(e -> e.detail().contains("permission denied")));
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    org.awaitility.Awaitility.await().atMost(WAIT).until(condition::getAsBoolean);
  }
}
