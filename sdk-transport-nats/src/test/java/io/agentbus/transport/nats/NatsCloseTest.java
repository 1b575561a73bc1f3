package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How a transport stops: drain (graceful, bounded), close (at once), and what is left. */
class NatsCloseTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  /** Only against hangs: far more than stopping should ever take, far less than a hang. */
  static final Duration HANG_GUARD = Duration.ofSeconds(5);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static NatsTransport connect(NatsTransportConfig.Builder config) {
    return NatsTransport.connect(config.servers(nats.url()).build());
  }

  @Test
  void drainLetsHandlersFinishAndHandlesEverythingAlreadyReceived() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch inHandler = new CountDownLatch(1);
    TransportSubscription[] sub = new TransportSubscription[1];
    sub[0] = t.subscribe("close.gracefully", null, m -> {
      inHandler.countDown();
      // the first handler call lasts until the drain has begun
      await().atMost(WAIT).until(() -> !sub[0].isActive());
      handled.add((int) m.payload()[0]);
    });
    for (int i = 0; i < 3; i++) {
      t.publish("close.gracefully", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    t.drain().get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the configured drain timeout

    assertThat(handled).containsExactly(0, 1, 2);
    assertThat(t.stats().dropped()).isZero();
    assertThat(t.isConnected()).isFalse();
  }

  @Test
  void closeIsImmediateAndCountsWhatWasWaiting() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder()); // a drain timeout of 10 s
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    TransportSubscription sub = t.subscribe("close.now", null, m -> {
      inHandler.countDown();
      never.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    });
    for (int i = 0; i < 5; i++) {
      t.publish("close.now", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    NatsTransportTest.awaitPending(sub, 4);

    // hang guard: a close that drained would wait for the handler, blocked for WAIT
    assertTimeoutPreemptively(HANG_GUARD, t::close);

    assertThat(sub.droppedMessages()).isEqualTo(4);
    assertThat(t.stats().dropped()).isEqualTo(4);
    assertThat(sub.deliveredMessages()).isEqualTo(1);
    assertThat(sub.isActive()).isFalse();
    assertThat(t.isConnected()).isFalse();
    never.countDown();
  }

  @Test
  void drainWithTheConfiguredTimeoutGivesUpOnAStuckHandler() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder().drainTimeout(Duration.ofMillis(300)));
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    TransportSubscription sub = t.subscribe("close.stuck", null, m -> {
      inHandler.countDown();
      never.await(1, TimeUnit.MINUTES);
    });
    for (int i = 0; i < 3; i++) {
      t.publish("close.stuck", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    CompletableFuture<Void> drained = t.drain();

    assertThatThrownBy(() -> drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(TransportException.class).hasMessageContaining("300 ms");
    assertThat(t.isConnected()).isFalse();
    assertThat(sub.droppedMessages()).isEqualTo(2);
    assertThat(t.stats().dropped()).isEqualTo(2);
    assertThatThrownBy(() -> t.publish("close.stuck", null, Headers.empty(), new byte[0]))
        .isInstanceOf(TransportException.class);
    never.countDown();
  }

  @Test
  void closeEndsADrainUnderWay() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    t.subscribe("close.draining", null, m -> {
      inHandler.countDown();
      never.await(1, TimeUnit.MINUTES);
    });
    t.publish("close.draining", null, Headers.empty(), new byte[0]);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    CompletableFuture<Void> drained = t.drain(Duration.ofMinutes(1));
    assertThat(drained).isNotDone();

    t.close();

    assertThatThrownBy(() -> drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(TransportException.class).hasMessageContaining("closed before its drain");
    assertThat(t.isConnected()).isFalse();
    never.countDown();
  }

  /**
   * The server is gone and jnats keeps reconnecting, holding the lock that counting the unsent
   * publishes and closing take: stopping still ends, within its timeout plus a margin.
   */
  @Test
  void drainEndsInTimeWhileTheServerIsGone() throws Exception {
    NatsTransport t = connectThenLoseTheServer();
    Duration timeout = Duration.ofMillis(500);

    CompletableFuture<Void> drained = assertTimeoutPreemptively(
        timeout.plus(NatsTransport.STOP_MARGIN).plus(HANG_GUARD), () -> {
          CompletableFuture<Void> f = t.drain(timeout);
          f.handle((v, e) -> null).get();
          return f;
        });

    assertThat(drained).isDone();
    assertThat(t.isConnected()).isFalse();
    assertThatThrownBy(() -> t.publish("gone.after", null, Headers.empty(), new byte[0]))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed");
  }

  @Test
  void closeEndsInTimeWhileTheServerIsGone() throws Exception {
    NatsTransport t = connectThenLoseTheServer();

    assertTimeoutPreemptively(NatsTransport.STOP_MARGIN.plus(HANG_GUARD), t::close);

    assertThat(t.isConnected()).isFalse();
    assertThatThrownBy(() -> t.publish("gone.after", null, Headers.empty(), new byte[0]))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed");
  }

  /** A transport reconnecting forever to a stopped server, with publishes buffered. */
  private static NatsTransport connectThenLoseTheServer() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
        .reconnectWait(Duration.ofMillis(20)).maxReconnects(-1).build());
    CountDownLatch down = new CountDownLatch(1);
    t.addConnectionListener(e -> {
      if (e.kind() == ConnectionEvent.Kind.DISCONNECTED) {
        down.countDown();
      }
    });
    t.subscribe("gone.sub", null, m -> { });
    server.stop();
    assertThat(down.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    for (int i = 0; i < 10; i++) {
      t.publish("gone.buffered", null, Headers.empty(), new byte[] {(byte) i});
    }
    return t;
  }

  @Test
  void drainCompletesWhenTheHandlersHaveFinished() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
    t.subscribe("drain.all", null, m -> {
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      handled.add((int) m.payload()[0]);
    });
    for (int i = 0; i < 3; i++) {
      t.publish("drain.all", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    CompletableFuture<Void> drained = t.drain(WAIT);
    assertThat(drained).isNotDone();
    assertThat(t.drain(WAIT)).isSameAs(drained);
    assertThatThrownBy(() -> t.subscribe("late", null, m -> { }))
        .isInstanceOf(TransportException.class).hasMessageContaining("draining");
    release.countDown();
    drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(handled).containsExactly(0, 1, 2);
    assertThat(t.isConnected()).isFalse();
    t.close(); // after a drain: nothing more to do
  }

  @Test
  void aDrainThatTimesOutFailsItsFutureAndClosesAnyway() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch inHandler = new CountDownLatch(1);
    t.subscribe("drain.stuck", null, m -> {
      inHandler.countDown();
      never.await(1, TimeUnit.MINUTES);
    });
    t.publish("drain.stuck", null, Headers.empty(), new byte[0]);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    CompletableFuture<Void> drained = t.drain(Duration.ofMillis(200));
    assertThatThrownBy(() -> drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(TransportException.class).hasMessageContaining("200 ms");
    assertThat(t.isConnected()).isFalse();
    never.countDown();
  }

  @Test
  void aHandlerMayCloseItsOwnTransport() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    CountDownLatch returned = new CountDownLatch(1);
    t.subscribe("close.self", null, m -> {
      t.close();
      returned.countDown();
    });
    t.publish("close.self", null, Headers.empty(), new byte[0]);
    assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    await().atMost(WAIT).until(() -> !t.isConnected());
  }

  @Test
  void nothingKeepsRunningAfterClose() throws Exception {
    Set<Thread> before = liveThreads();
    NatsTransport t = connect(NatsTransportConfig.builder().connectionName("leakcheck"));
    for (int i = 0; i < 5; i++) {
      t.subscribe("leak." + i, i % 2 == 0 ? null : "group", m -> { });
    }
    t.subscribe("leak.echo", null, m -> t.publish(m.replyTo(), null, Headers.empty(),
        new byte[0]));
    t.request("leak.echo", Headers.empty(), new byte[0], WAIT)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    t.request("leak.0", Headers.empty(), new byte[0], Duration.ofMillis(50)).handle((r, e) -> r)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(t.subscriptionCount()).isEqualTo(6);

    t.close();

    assertThat(t.subscriptionCount()).isZero();
    assertThat(t.openRequests()).isZero();
    await().atMost(WAIT).untilAsserted(() -> assertThat(newThreads(before)).isEmpty());
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .collect(Collectors.toSet());
  }

  /** Threads started since {@code before}, except JVM-wide helpers that outlive any one test. */
  private static List<String> newThreads(Set<Thread> before) {
    return liveThreads().stream().filter(th -> !before.contains(th))
        .map(Thread::getName)
        .filter(n -> !n.startsWith("awaitility") && !n.startsWith("CompletableFutureDelay")
            && !n.startsWith("ForkJoinPool") && !n.startsWith("agentbus-nats-server-log"))
        .collect(Collectors.toList());
  }
}
