package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.nats.NatsServerExtension;
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

/** How a transport stops: drain, close (a bounded drain), close at once, and what is left. */
class NatsCloseTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static NatsTransport connect(NatsTransportConfig.Builder config) {
    return NatsTransport.connect(config.servers(nats.url()).build());
  }

  @Test
  void closeLetsHandlersFinishAndHandlesEverythingAlreadyReceived() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder());
    List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch inHandler = new CountDownLatch(1);
    TransportSubscription[] sub = new TransportSubscription[1];
    sub[0] = t.subscribe("close.gracefully", null, m -> {
      inHandler.countDown();
      // the first handler call lasts until close() has begun
      await().atMost(WAIT).until(() -> !sub[0].isActive());
      handled.add((int) m.payload()[0]);
    });
    for (int i = 0; i < 3; i++) {
      t.publish("close.gracefully", null, Headers.empty(), new byte[] {(byte) i});
    }
    t.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    t.close();

    assertThat(handled).containsExactly(0, 1, 2);
    assertThat(t.stats().dropped()).isZero();
    assertThat(t.isConnected()).isFalse();
  }

  @Test
  void withNoDrainTimeoutCloseIsImmediateAndCountsWhatWasWaiting() throws Exception {
    NatsTransport t = connect(NatsTransportConfig.builder().drainTimeout(Duration.ZERO));
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

    t.close();

    assertThat(sub.droppedMessages()).isEqualTo(4);
    assertThat(t.stats().dropped()).isEqualTo(4);
    assertThat(sub.deliveredMessages()).isEqualTo(1);
    assertThat(sub.isActive()).isFalse();
    never.countDown();
  }

  @Test
  void closeGivesUpOnAStuckHandlerAfterTheDrainTimeout() throws Exception {
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

    t.close(); // returns although the handler never finishes by itself

    assertThat(t.isConnected()).isFalse();
    assertThat(sub.droppedMessages()).isEqualTo(2);
    assertThat(t.stats().dropped()).isEqualTo(2);
    assertThatThrownBy(() -> t.publish("close.stuck", null, Headers.empty(), new byte[0]))
        .isInstanceOf(TransportException.class);
    never.countDown();
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
