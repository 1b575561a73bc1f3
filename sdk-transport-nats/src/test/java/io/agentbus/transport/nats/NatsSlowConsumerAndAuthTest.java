package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import io.nats.client.NKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NatsSlowConsumerAndAuthTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  /** jnats waits this long for the server's answer before reporting a refused login. */
  static final Duration FAIL_FAST = Duration.ofMillis(500);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final List<NatsTransport> transports = new ArrayList<>();

  private NatsTransport connect(NatsTransportConfig.Builder config) {
    NatsTransport t = NatsTransport.connect(config.build());
    transports.add(t);
    return t;
  }

  @AfterEach
  void close() {
    transports.forEach(NatsTransport::close);
  }

  @Test
  void aSlowConsumerDropsCountsAndReportsWhileOthersKeepReceiving() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder().servers(nats.url())
        .pendingMessages(10));
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    t.addConnectionListener(e -> {
      if (e.kind() == ConnectionEvent.Kind.SLOW_CONSUMER) {
        events.add(e);
      }
    });
    CountDownLatch release = new CountDownLatch(1);
    TransportSubscription slow = t.subscribe("agents.slow", null,
        m -> release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    BlockingQueue<TransportMessage> fast = new LinkedBlockingQueue<>();
    t.subscribe("agents.fast", null, fast::add);

    for (int i = 0; i < 100; i++) {
      t.publish("agents.slow", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    ConnectionEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(event).isNotNull();
    assertThat(event.subject()).isEqualTo("agents.slow");
    assertThat(event.detail()).contains("10 waiting messages");

    // the slow handler is still blocked; another subscription is unaffected
    t.publish("agents.fast", null, Headers.empty(), new byte[] {1});
    assertThat(fast.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    // the pool may not have begun the slow handler's first message yet: once it has, it blocks
    await().atMost(WAIT).until(() -> slow.deliveredMessages() == 1);

    release.countDown();
    await().atMost(WAIT).until(() -> slow.deliveredMessages() + slow.droppedMessages() == 100);
    // 10 wait; the first may already be in the handler (89 dropped) or not yet taken (90)
    assertThat(slow.droppedMessages()).isBetween(89L, 90L);
    assertThat(slow.deliveredMessages()).isLessThanOrEqualTo(11);
    assertThat(t.stats().dropped()).isEqualTo(slow.droppedMessages());
    // one event per episode: jnats starts a new one whenever the queue had room again
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(t.stats().slowConsumerEvents()).isEqualTo(1 + events.size()));
    assertThat(slow.isActive()).isTrue();
  }

  @Test
  void userAndPasswordAuthentication() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .user("alice", "s3cret").build());
    NatsTransport t = connect(NatsTransportConfig.builder().servers(server.url())
        .userInfo("alice", "s3cret"));
    roundTrip(t);

    assertThatThrownBy(() -> connect(NatsTransportConfig.builder().servers(server.url())
        .userInfo("alice", "wrong-password").connectTimeout(FAIL_FAST)))
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isFalse())
        .hasMessageContaining("refused the credentials")
        .hasMessageContaining("Authorization Violation")
        .hasMessageContaining("agentbus.nats.user ('alice')")
        .hasMessageContaining("agentbus.nats.password")
        .hasMessageNotContaining("wrong-password");
    assertThatThrownBy(() -> connect(NatsTransportConfig.builder().servers(server.url())
        .connectTimeout(FAIL_FAST)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("none is set, but the server requires some");
  }

  @Test
  void tokenAuthentication() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .token("t0k3n").build());
    roundTrip(connect(NatsTransportConfig.builder().servers(server.url()).token("t0k3n")));
    assertThatThrownBy(() -> connect(NatsTransportConfig.builder().servers(server.url())
        .token("not-it").connectTimeout(FAIL_FAST))).isInstanceOf(TransportException.class)
        .hasMessageContaining("agentbus.nats.token").hasMessageNotContaining("not-it");
  }

  @Test
  void nkeyAuthentication() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config("authorization { users = [ { nkey: " + TestKeys.USER_PUBLIC_KEY + " } ] }\n")
        .build());
    roundTrip(connect(NatsTransportConfig.builder().servers(server.url())
        .nkeySeed(TestKeys.USER_SEED)));

    String otherSeed = new String(NKey.createUser(null).getSeed());
    assertThatThrownBy(() -> connect(NatsTransportConfig.builder().servers(server.url())
        .nkeySeed(otherSeed).connectTimeout(FAIL_FAST)))
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isFalse())
        .hasMessageContaining("refused the credentials")
        .hasMessageContaining("Authorization Violation")
        .hasMessageContaining("agentbus.nats.nkey-seed")
        .hasMessageNotContaining(otherSeed);
  }

  @Test
  void noServerAtTheAddressIsARetriableErrorNamingTheSettings() {
    int port = nats.startServer(NatsServerSpec.builder().jetStream(false).build()).port();
    NatsServer gone = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    gone.stop();
    assertThat(port).isNotEqualTo(gone.port());
    assertThatThrownBy(() -> connect(NatsTransportConfig.builder().servers(gone.url())
        .connectTimeout(Duration.ofMillis(500))))
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isTrue())
        .hasMessageContaining("Could not connect to NATS at " + gone.url())
        .hasMessageContaining("agentbus.nats.url").hasMessageContaining("NATS_URL");
  }

  private static void roundTrip(NatsTransport t) throws InterruptedException {
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    t.subscribe("auth.check", null, got::add);
    t.publish("auth.check", null, Headers.empty(), new byte[] {42});
    TransportMessage m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).isNotNull();
    assertThat(m.payload()).containsExactly(42);
  }
}
