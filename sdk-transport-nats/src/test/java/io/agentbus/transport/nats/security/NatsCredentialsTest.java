package io.agentbus.transport.nats.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.nats.NatsProcess;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials proven on live servers: {@code .creds} files (operator, account and user JWTs made
 * here with jnats' NKey and JWT building blocks) against a server in operator mode with a memory
 * resolver; wrong passwords, tokens and seeds refused clearly and not retried; a seed file
 * rotated under a running transport used at the next reconnect; and a refusal at reconnect
 * reported.
 */
class NatsCredentialsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @TempDir
  static Path dir;

  static NKey operator;
  static NKey account;
  static NKey foreignAccount;
  static String revokedUser;
  static NKey revokedUserKey;
  static NatsServer operatorMode;

  @BeforeAll
  static void startAnOperatorModeServer() throws Exception {
    operator = NKey.createOperator(null);
    account = NKey.createAccount(null);
    foreignAccount = NKey.createAccount(null);
    revokedUserKey = NKey.createUser(null);
    revokedUser = new String(revokedUserKey.getPublicKey());
    operatorMode = nats.startServer(operatorModeSpec(revokedUser));
  }

  /**
   * A server in operator mode that knows {@code account} (by a memory resolver), with the users
   * {@code revoked} revoked as of now.
   */
  static NatsServerSpec operatorModeSpec(String... revoked) throws Exception {
    long now = JwtUtils.currentTimeSeconds();
    String op = pub(operator);
    String operatorJwt = JwtUtils.issueJWT(operator, op, "test-operator", null, now, op,
        claim("{\"type\":\"operator\",\"version\":2}"));
    StringBuilder revocations = new StringBuilder();
    for (String user : revoked) {
      revocations.append(revocations.length() == 0 ? "" : ",").append('"').append(user)
          .append("\":").append(now);
    }
    String accountJwt = JwtUtils.issueJWT(operator, pub(account), "agents", null, now, op,
        claim("{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,"
            + "\"exports\":-1,\"wildcards\":true,\"conn\":-1,\"leaf\":-1},"
            + "\"revocations\":{" + revocations + "},"
            + "\"type\":\"account\",\"version\":2}"));
    return NatsServerSpec.builder().jetStream(false)
        .config("operator: \"" + operatorJwt + "\"\nresolver: MEMORY\nresolver_preload: {\n  "
            + pub(account) + ": \"" + accountJwt + "\"\n}\n").build();
  }

  static JsonSerializable claim(String json) {
    return () -> json;
  }

  static String pub(NKey k) throws Exception {
    return new String(k.getPublicKey());
  }

  static Path creds(String name, NKey signer, NKey user, long issuedAt) throws Exception {
    String jwt = JwtUtils.issueUserJWT(signer, pub(signer), pub(user), name, null,
        new String[0], issuedAt);
    Path file = dir.resolve(name + ".creds");
    Files.writeString(file, String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt,
        new String(user.getSeed())), StandardCharsets.US_ASCII);
    return file;
  }

  static TransportException refused(NatsTransportConfig config) {
    TransportException e = catchThrowableOfType(TransportException.class,
        () -> NatsTransport.connect(config).close());
    assertThat(e).as("the connect should have been refused").isNotNull();
    assertThat(e.isRetriable()).as("retriable: %s", e.getMessage()).isFalse();
    return e;
  }

  static NatsTransportConfig.Builder to(NatsServer server) {
    return NatsTransportConfig.builder().servers(server.url())
        .connectTimeout(Duration.ofSeconds(3));
  }

  @Test
  void aCredsFileConnectsToAnOperatorModeServer() throws Exception {
    Path file = creds("worker", account, NKey.createUser(null), JwtUtils.currentTimeSeconds());
    try (NatsTransport t = NatsTransport.connect(to(operatorMode).credsFile(file).build())) {
      assertThat(t.config().inboxPrefix()).startsWith("_INBOX_U");
      BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
      t.subscribe("orchestrator.agent.worker.*", null, got::add);
      t.publish("orchestrator.agent.worker.hello", null, Headers.empty(), new byte[] {1});
      assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void aUserOfAnUnknownAccountAndARevokedUserAreRefusedClearly() throws Exception {
    Path foreign = creds("foreign", foreignAccount, NKey.createUser(null),
        JwtUtils.currentTimeSeconds());
    TransportException e1 = refused(to(operatorMode).credsFile(foreign).build());
    assertThat(e1.getMessage()).contains("refused the credentials")
        .contains("agentbus.nats.creds-file").contains(foreign.toString());
    Path revoked = creds("revoked", account, revokedUserKey,
        JwtUtils.currentTimeSeconds() - 3600);
    TransportException e2 = refused(to(operatorMode).credsFile(revoked).build());
    assertThat(e2.getMessage()).contains("refused the credentials")
        .contains(revoked.toString());
    SecurityFigures.print("creds-unknown-account-and-revoked-user", 2, 2, 0);
  }

  @Test
  void aWrongPasswordTokenOrSeedIsRefusedAtOnceNotRetried() throws Exception {
    NatsServer withUser = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .user("billing", "s3cret").build());
    NatsServer withToken = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .token("t0ken").build());
    NatsAuthorization auth = NatsAuthorization.derive("orchestrator",
        List.of(AgentRole.builder("known").agents(List.of("agent-k")).build()),
        dir.resolve("wrong-seed"));
    NatsServer withNKeys = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(auth.serverConfig()).build());

    TransportException password = refused(to(withUser).userInfo("billing", "wrong")
        .connectRetry(Duration.ofMinutes(5)).build());
    assertThat(password.getMessage()).contains("refused the credentials")
        .contains("agentbus.nats.user ('billing') and agentbus.nats.password")
        .doesNotContain("wrong");
    TransportException token = refused(to(withToken).token("not-the-token")
        .connectRetry(Duration.ofMinutes(5)).build());
    assertThat(token.getMessage()).contains("refused the credentials")
        .contains("agentbus.nats.token").doesNotContain("not-the-token");
    String unknownSeed = new String(NKey.createUser(null).getSeed());
    TransportException seed = refused(to(withNKeys).nkeySeed(unknownSeed)
        .connectRetry(Duration.ofMinutes(5)).build());
    assertThat(seed.getMessage()).contains("refused the credentials")
        .contains("agentbus.nats.nkey-seed").doesNotContain(unknownSeed);
    // connect-retry of five minutes was set: a refusal is not retried, or this would not end
    SecurityFigures.print("wrong-password-token-seed", 3, 3, 0);
  }

  @Test
  void aCredsFileRevokedOnTheServerIsReportedAndItsReplacementUsedAtTheNextAttempt()
      throws Exception {
    NKey first = NKey.createUser(null);
    Path file = creds("rotating", account, first, JwtUtils.currentTimeSeconds() - 60);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    try (NatsProcess server = NatsProcess.create("creds-rotation", operatorModeSpec());
        NatsTransport t = connectTo(server, file, events)) {
      BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
      t.subscribe("orchestrator.agent.rotating.*", null, got::add);

      // the account revokes the user, and the server restarts with it
      server.reconfigure(operatorModeSpec(pub(first)));
      server.restart();
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.AUTHENTICATION_FAILED
              && e.detail().contains("agentbus.nats.creds-file")
              && e.detail().contains(file.toString())));
      assertThat(t.isConnected()).isFalse();

      // a new user's .creds replaces the file: the same transport is accepted again
      creds("rotating", account, NKey.createUser(null), JwtUtils.currentTimeSeconds());
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED));
      t.publish("orchestrator.agent.rotating.hello", null, Headers.empty(), new byte[] {7});
      assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      assertThat(events).filteredOn(e -> e.kind() == ConnectionEvent.Kind.AUTHENTICATION_FAILED)
          .as("reported once, not per attempt").hasSize(1);
    }
  }

  @Test
  void aTokenFileIsReadAgainAtEachAttemptSoARotatedTokenHealsTheConnection() throws Exception {
    Path file = dir.resolve("agent.token");
    Files.writeString(file, "first-token\n");
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    try (NatsProcess server = NatsProcess.create("token-rotation",
            NatsServerSpec.builder().jetStream(false).token("first-token").build());
        NatsTransport t = connectTo(server, to(server).tokenFile(file), events)) {
      server.reconfigure(NatsServerSpec.builder().jetStream(false).token("second-token")
          .build());
      server.restart();
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.AUTHENTICATION_FAILED
              && e.detail().contains("agentbus.nats.token-file")
              && !e.detail().contains("first-token")));
      Files.writeString(file, "second-token\n");
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED));
      assertThat(t.isConnected()).isTrue();
    }
    Files.writeString(file, "  \n");
    assertThat(catchThrowableOfType(io.agentbus.ConfigurationException.class,
        () -> NatsTransportConfig.builder().tokenFile(file))).hasMessageContaining(
            "agentbus.nats.token-file").hasMessageContaining("is empty");
  }

  private static NatsTransport connectTo(NatsProcess server, Path credsFile,
      List<ConnectionEvent> events) {
    return connectTo(server, to(server).credsFile(credsFile), events);
  }

  private static NatsTransport connectTo(NatsProcess server, NatsTransportConfig.Builder config,
      List<ConnectionEvent> events) {
    server.start();
    NatsTransport t = NatsTransport.connect(config.reconnectWait(Duration.ofMillis(200)).build());
    t.addConnectionListener(events::add);
    return t;
  }

  @Test
  void aRotatedSeedFileIsUsedAtReconnectAndARefusalThenIsReported() throws Exception {
    Path keys = dir.resolve("rotation");
    Properties roles = new Properties();
    roles.setProperty("identities", "old, new");
    roles.setProperty("identity.old.agents", "agent-old");
    roles.setProperty("identity.new.agents", "agent-new");
    roles.setProperty("identity.new.works", "build");
    NatsAuthorization auth = NatsAuthorization.derive("orchestrator",
        NatsAuthorization.readRoles(roles), keys);
    auth.writeTo(keys);
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(auth.serverConfig()).build());
    Path seedFile = dir.resolve("agent.nk");
    Files.copy(keys.resolve("old.nk"), seedFile, StandardCopyOption.REPLACE_EXISTING);
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    try (NatsTransport t = NatsTransport.connect(to(server).nkeySeedFile(seedFile)
        .reconnectWait(Duration.ofMillis(200)).inboxPrefix(auth.inboxPrefix("old")).build())) {
      t.addConnectionListener(events::add);
      // as 'old', the queue is out of reach
      assertThat(catchThrowableOfType(io.agentbus.PermissionDeniedException.class,
          () -> t.subscribe("orchestrator.queue.build", "build", m -> { }))).isNotNull();

      // rotate the file to 'new' and make the client reconnect: no restart of this JVM
      Files.copy(keys.resolve("new.nk"), seedFile, StandardCopyOption.REPLACE_EXISTING);
      server.restart();
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.RECONNECTED));
      t.subscribe("orchestrator.queue.build", "build", m -> { }).unsubscribe();

      // a seed the server does not know: the refusal at reconnect is reported
      Files.writeString(seedFile, new String(NKey.createUser(null).getSeed()) + "\n");
      server.restart();
      Awaitility.await().atMost(WAIT).until(() -> events.stream()
          .anyMatch(e -> e.kind() == ConnectionEvent.Kind.AUTHENTICATION_FAILED
              && e.detail().contains("Authorization Violation")
              && e.detail().contains("agentbus.nats.nkey-seed-file")));
      assertThat(t.isConnected()).isFalse();
    }
  }
}
