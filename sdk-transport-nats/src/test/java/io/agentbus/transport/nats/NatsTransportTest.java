package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.InvalidSubjectException;
import io.agentbus.PayloadTooLargeException;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publish, subscribe and their edge cases against a real nats-server. */
class NatsTransportTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final List<NatsTransport> transports = Collections.synchronizedList(new ArrayList<>());

  private NatsTransport connect() {
    return connect(nats.url());
  }

  private NatsTransport connect(String url) {
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(url)
        .connectionName("test").build());
    transports.add(t);
    return t;
  }

  @AfterEach
  void closeTransports() {
    transports.forEach(NatsTransport::close);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TransportMessage take(BlockingQueue<TransportMessage> q) throws InterruptedException {
    TransportMessage m = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("no message within %s", WAIT).isNotNull();
    return m;
  }

  @Test
  void publishedMessagesArriveWithSubjectReplyHeadersAndPayload() throws Exception {
    NatsTransport a = connect();
    NatsTransport b = connect();
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    TransportSubscription sub = b.subscribe("orchestrator.agent.*.question", null, got::add);
    b.flush(WAIT);

    Headers headers = Headers.builder().add(Headers.CONTENT_TYPE, "application/json")
        .add("X-Multi", "one").add("X-Multi", "two")
        .add("X-Unicode", "réponse ✓").add("X-Empty", "")
        .add("X-Looks-Encoded", "=?UTF-8?B?aGk=?=").build();
    a.publish("orchestrator.agent.architect-001.question", "reply.here", headers,
        bytes("{\"hello\":1}"));

    TransportMessage m = take(got);
    assertThat(m.subject()).isEqualTo("orchestrator.agent.architect-001.question");
    assertThat(m.replyTo()).isEqualTo("reply.here");
    assertThat(m.headers()).isEqualTo(headers);
    assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"hello\":1}");
    assertThat(sub.deliveredMessages()).isEqualTo(1);
    assertThat(a.stats().published()).isEqualTo(1);
    assertThat(b.stats().delivered()).isEqualTo(1);
  }

  @Test
  void anEmptyMessageArrivesEmpty() throws Exception {
    NatsTransport t = connect();
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    t.subscribe("empty", null, got::add);
    t.publish("empty", null, Headers.empty(), new byte[0]);
    TransportMessage m = take(got);
    assertThat(m.payload()).isEmpty();
    assertThat(m.headers().isEmpty()).isTrue();
    assertThat(m.replyTo()).isNull();
  }

  @Test
  void invalidSubjectsAreRejectedBeforeAnythingIsSent() {
    NatsTransport t = connect();
    assertThatThrownBy(() -> t.publish("a..b", null, Headers.empty(), new byte[0]))
        .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("a..b");
    assertThatThrownBy(() -> t.publish("a.*", null, Headers.empty(), new byte[0]))
        .isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> t.publish("a b", null, Headers.empty(), new byte[0]))
        .isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> t.publish("ok", "bad reply", Headers.empty(), new byte[0]))
        .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("reply subject");
    assertThatThrownBy(() -> t.subscribe("a.>.b", null, m -> { }))
        .isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> t.subscribe("a.b", "bad group", m -> { }))
        .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("queue group");
    assertThatThrownBy(() -> t.request("", Headers.empty(), new byte[0], WAIT))
        .isInstanceOf(InvalidSubjectException.class);
    assertThat(t.stats().published()).isZero();
  }

  @Test
  void maxPayloadComesFromTheServerAndOversizedPublishesAreRefused() throws Exception {
    NatsServer small = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config("max_payload: 1024\n").build());
    NatsTransport t = connect(small.url());
    assertThat(t.maxPayload()).isEqualTo(1024);
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    t.subscribe("big", null, got::add);

    assertThatThrownBy(() -> t.publish("big", null, Headers.empty(), new byte[1025]))
        .isInstanceOfSatisfying(PayloadTooLargeException.class, e -> {
          assertThat(e.size()).isEqualTo(1025);
          assertThat(e.maxPayload()).isEqualTo(1024);
        });
    // headers count toward the server's limit
    Headers h = Headers.of("Content-Type", "application/json");
    assertThatThrownBy(() -> t.publish("big", null, h, new byte[1020]))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThatThrownBy(() -> t.request("big", Headers.empty(), new byte[2000], WAIT))
        .isInstanceOf(PayloadTooLargeException.class);

    t.publish("big", null, Headers.empty(), new byte[1024]);
    assertThat(take(got).payload()).hasSize(1024);
    assertThat(t.isConnected()).isTrue(); // the server never saw an oversized message
    assertThat(t.stats().published()).isEqualTo(1);
  }

  @Test
  void queueGroupMembersShareTheMessagesAndPlainSubscribersSeeAll() throws Exception {
    NatsTransport a = connect();
    NatsTransport b = connect();
    int n = 200;
    CountDownLatch all = new CountDownLatch(2 * n);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    BlockingQueue<TransportMessage> plain = new LinkedBlockingQueue<>();
    a.subscribe("work.items", "workers", m -> {
      seen.add("a" + new String(m.payload(), StandardCharsets.UTF_8));
      all.countDown();
    });
    b.subscribe("work.items", "workers", m -> {
      seen.add("b" + new String(m.payload(), StandardCharsets.UTF_8));
      all.countDown();
    });
    b.subscribe("work.*", null, m -> {
      plain.add(m);
      all.countDown();
    });
    a.flush(WAIT);
    b.flush(WAIT);
    for (int i = 0; i < n; i++) {
      a.publish("work.items", null, Headers.empty(), bytes(Integer.toString(i)));
    }
    assertThat(all.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(seen).hasSize(n);
    assertThat(seen.stream().map(s -> s.substring(1)).distinct()).hasSize(n);
    assertThat(seen).anyMatch(s -> s.startsWith("a")).anyMatch(s -> s.startsWith("b"));
    assertThat(plain).hasSize(n);
  }

  @Test
  void aBlockingHandlerHoldsOnlyItsOwnSubscriptionAndOrderIsKept() throws Exception {
    NatsTransport t = connect();
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> slowSeen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch slowDone = new CountDownLatch(100);
    t.subscribe("slow", null, m -> {
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      slowSeen.add(Integer.parseInt(new String(m.payload(), StandardCharsets.UTF_8)));
      slowDone.countDown();
    });
    BlockingQueue<TransportMessage> fast = new LinkedBlockingQueue<>();
    t.subscribe("fast", null, fast::add);
    for (int i = 0; i < 100; i++) {
      t.publish("slow", null, Headers.empty(), bytes(Integer.toString(i)));
    }
    t.publish("fast", null, Headers.empty(), bytes("x"));
    assertThat(take(fast).subject()).isEqualTo("fast");
    assertThat(slowSeen).isEmpty();
    release.countDown();
    assertThat(slowDone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    for (int i = 0; i < 100; i++) {
      assertThat(slowSeen.get(i)).isEqualTo(i);
    }
  }

  @Test
  void aThrowingHandlerIsCountedAndItsSubscriptionGoesOn() throws Exception {
    NatsTransport t = connect();
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    TransportSubscription sub = t.subscribe("flaky", null, m -> {
      if (m.payload().length == 0) {
        throw new IllegalStateException("empty!");
      }
      got.add(m);
    });
    t.publish("flaky", null, Headers.empty(), new byte[0]);
    t.publish("flaky", null, Headers.empty(), bytes("ok"));
    assertThat(take(got).payload()).isEqualTo(bytes("ok"));
    assertThat(t.stats().handlerFailures()).isEqualTo(1);
    assertThat(sub.deliveredMessages()).isEqualTo(2);
    assertThat(sub.isActive()).isTrue();
  }

  @Test
  void unsubscribeStopsDeliveryAndCountsWhatWasWaiting() throws Exception {
    NatsTransport t = connect();
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    TransportSubscription sub = t.subscribe("unsub", null, m -> {
      inHandler.countDown();
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      handled.add(new String(m.payload(), StandardCharsets.UTF_8));
    });
    for (int i = 0; i < 5; i++) {
      t.publish("unsub", null, Headers.empty(), bytes("m" + i));
    }
    t.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    awaitPending(sub, 4);

    sub.unsubscribe();
    sub.unsubscribe(); // idempotent
    assertThat(sub.isActive()).isFalse();
    release.countDown();
    await().atMost(WAIT).untilAsserted(() -> assertThat(sub.droppedMessages()).isEqualTo(4));
    assertThat(handled).containsExactly("m0"); // the running handler was not interrupted
    t.publish("unsub", null, Headers.empty(), bytes("after"));
    t.flush(WAIT);
    await().atMost(WAIT).until(() -> t.subscriptionCount() == 0);
    assertThat(handled).containsExactly("m0");
    assertThat(sub.deliveredMessages()).isEqualTo(1);
    assertThat(t.stats().dropped()).isEqualTo(4);
  }

  @Test
  void drainingASubscriptionHandlesWhatItReceived() throws Exception {
    NatsTransport t = connect();
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    TransportSubscription sub = t.subscribe("drain.me", null, m -> {
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      handled.add(new String(m.payload(), StandardCharsets.UTF_8));
    });
    for (int i = 0; i < 5; i++) {
      t.publish("drain.me", null, Headers.empty(), bytes("m" + i));
    }
    t.flush(WAIT);
    var drained = sub.drain(WAIT);
    assertThat(drained).isNotDone();
    assertThat(sub.isActive()).isFalse();
    release.countDown();
    drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(handled).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(sub.droppedMessages()).isZero();
  }

  @Test
  void aClosedTransportRefusesWorkWithAClearError() {
    NatsTransport t = connect();
    t.close();
    t.close();
    assertThatThrownBy(() -> t.publish("x", null, Headers.empty(), new byte[0]))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed")
        .matches(e -> !((TransportException) e).isRetriable());
    assertThatThrownBy(() -> t.subscribe("x", null, m -> { }))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> t.request("x", Headers.empty(), new byte[0], WAIT))
        .isInstanceOf(TransportException.class);
    assertThatThrownBy(() -> t.flush(WAIT)).isInstanceOf(TransportException.class);
    assertThat(t.isConnected()).isFalse();
  }

  static void awaitPending(TransportSubscription sub, long n) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(sub.pendingMessages()).isEqualTo(n));
  }

  @Test
  void manyConcurrentFlushesDoNotExceedMaxPingsOutAndDropTheConnection() throws Exception {
    NatsTransport t = connect();
    List<io.agentbus.spi.ConnectionEvent> events = Collections.synchronizedList(new ArrayList<>());
    t.addConnectionListener(events::add);
    int threads = 12;
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> flushes = new ArrayList<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < threads; i++) {
        flushes.add(pool.submit(() -> {
          start.await();
          for (int n = 0; n < 20; n++) {
            t.flush(Duration.ofSeconds(10));
          }
          return null;
        }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> f : flushes) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(t.isConnected()).isTrue();
    assertThat(t.stats().reconnects()).isZero();
    assertThat(events).noneMatch(e -> e.kind() == io.agentbus.spi.ConnectionEvent.Kind.DISCONNECTED);
  }
}
