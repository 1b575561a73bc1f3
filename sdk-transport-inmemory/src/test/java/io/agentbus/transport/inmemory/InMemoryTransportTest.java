package io.agentbus.transport.inmemory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the in-memory transport promises: its configuration, limits and inspection API. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InMemoryTransportTest {
  private static final long WAIT_SECONDS = 10;
  private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

  private final List<InMemoryTransport> made = new ArrayList<>();
  private final List<CountDownLatch> gates = new ArrayList<>();

  @AfterEach
  void tearDown() {
    gates.forEach(g -> {
      while (g.getCount() > 0) {
        g.countDown();
      }
    });
    made.forEach(InMemoryTransport::close);
  }

  private InMemoryTransport track(InMemoryTransport t) {
    made.add(t);
    return t;
  }

  private CountDownLatch gate() {
    CountDownLatch g = new CountDownLatch(1);
    gates.add(g);
    return g;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(TransportMessage m) {
    return new String(m.payload(), UTF_8);
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      fail("Timed out waiting for " + what);
    }
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void defaultsFollowNats() {
    InMemoryTransport t = track(InMemoryTransport.create());
    assertThat(t.maxPayload()).isEqualTo(1_048_576);
    assertThat(InMemoryTransport.DEFAULT_PENDING_LIMIT).isEqualTo(65_536);
    assertThat(t.server().connectionCount()).isEqualTo(1);
    assertThat(t.name()).startsWith("inmemory-");
  }

  @Test
  void maxPayloadOfAPrivateServerIsConfigurable() {
    InMemoryTransport t = track(InMemoryTransport.builder().maxPayload(10).build());
    assertThat(t.maxPayload()).isEqualTo(10);
    t.publish("a", null, Headers.empty(), new byte[10]);
    assertThatThrownBy(() -> t.publish("a", null, Headers.empty(), new byte[11]))
        .hasMessageContaining("11 bytes").hasMessageContaining("10 bytes");
  }

  @Test
  void sharedServerOwnsMaxPayload() {
    InMemoryServer server = InMemoryServer.builder().maxPayload(64).build();
    assertThat(track(server.connect()).maxPayload()).isEqualTo(64);
    assertThatThrownBy(() -> InMemoryTransport.builder().server(server).maxPayload(10).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("InMemoryServer.builder().maxPayload");
  }

  @Test
  void badSettingsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> InMemoryTransport.builder().pendingLimit(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pendingLimit")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> InMemoryTransport.builder().maxPayload(-1))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> InMemoryServer.builder().maxPayload(0))
        .isInstanceOf(ConfigurationException.class);
    InMemoryTransport t = track(InMemoryTransport.create());
    assertThatThrownBy(() -> t.request("a", Headers.empty(), new byte[0], Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
  }

  @Test
  void transportsOfOneServerFormOneBusAndSeparateServersDoNot() throws Exception {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport a = track(InMemoryTransport.connectTo(server));
    InMemoryTransport b = track(server.connect());
    InMemoryTransport elsewhere = track(InMemoryTransport.create());
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    a.subscribe("x", null, m -> got.add(text(m)));
    assertThat(server.subscriptionCount()).isEqualTo(1);
    assertThat(server.hasInterest("x")).isTrue();
    assertThat(server.hasInterest("y")).isFalse();

    assertThatThrownBy(() -> elsewhere.request("x", Headers.empty(), bytes("?"), WAIT)
        .get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCauseInstanceOf(NoRespondersException.class);
    b.publish("x", null, Headers.empty(), bytes("from b"));
    assertThat(got.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("from b");
    assertThat(server.connectionCount()).isEqualTo(2);
    b.close();
    assertThat(server.connectionCount()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- slow consumers

  @Test
  void slowConsumerDropsPastThePendingLimitCountsAndReportsOncePerBurst() throws Exception {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport sub = track(InMemoryTransport.builder().server(server).pendingLimit(4)
        .build());
    InMemoryTransport pub = track(server.connect());
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    sub.addConnectionListener(events::add);

    CountDownLatch release1 = gate();
    CountDownLatch release2 = gate();
    BlockingQueue<String> entered = new LinkedBlockingQueue<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    TransportSubscription s = sub.subscribe("work", null, m -> {
      entered.add(text(m));
      if (text(m).equals("block-1")) {
        release1.await();
      } else if (text(m).equals("block-2")) {
        release2.await();
      }
      handled.add(text(m));
    });

    pub.publish("work", null, Headers.empty(), bytes("block-1"));
    assertThat(entered.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("block-1");
    for (int i = 1; i <= 10; i++) {
      pub.publish("work", null, Headers.empty(), bytes("m" + i));
    }
    // one in the handler, four waiting, six dropped
    assertThat(s.pendingMessages()).isEqualTo(4);
    assertThat(s.droppedMessages()).isEqualTo(6);
    assertThat(sub.stats().dropped()).isEqualTo(6);
    assertThat(sub.stats().slowConsumerEvents()).isEqualTo(1);
    ConnectionEvent event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(event).isNotNull();
    assertThat(event.kind()).isEqualTo(ConnectionEvent.Kind.SLOW_CONSUMER);
    assertThat(event.subject()).isEqualTo("work");
    assertThat(event.detail()).contains("pending limit of 4");
    assertThat(pub.stats().published()).as("the publisher is not blamed").isEqualTo(11);

    release1.countDown();
    for (String expected : List.of("m1", "m2", "m3", "m4")) {
      assertThat(entered.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(expected);
    }

    // a second burst, after the queue emptied, is reported again
    pub.publish("work", null, Headers.empty(), bytes("block-2"));
    assertThat(entered.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("block-2");
    for (int i = 11; i <= 17; i++) {
      pub.publish("work", null, Headers.empty(), bytes("m" + i));
    }
    assertThat(s.droppedMessages()).isEqualTo(6 + 3);
    assertThat(sub.stats().slowConsumerEvents()).isEqualTo(2);
    ConnectionEvent second = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(second).isNotNull();
    assertThat(second.kind()).isEqualTo(ConnectionEvent.Kind.SLOW_CONSUMER);

    release2.countDown();
    await(s.drain(WAIT), "drain");
    assertThat(handled).containsExactly("block-1", "m1", "m2", "m3", "m4", "block-2", "m11",
        "m12", "m13", "m14");
    assertThat(s.deliveredMessages()).isEqualTo(10);
  }

  @Test
  void unsubscribeCountsWhatWasStillWaitingAsDropped() throws Exception {
    InMemoryTransport t = track(InMemoryTransport.create());
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(1);
    TransportSubscription s = t.subscribe("q", null, m -> {
      entered.countDown();
      release.await();
    });
    for (int i = 0; i < 5; i++) {
      t.publish("q", null, Headers.empty(), bytes("m" + i));
    }
    await(entered, "the first message");
    s.unsubscribe();
    assertThat(s.droppedMessages()).isEqualTo(4);
    assertThat(t.stats().dropped()).isEqualTo(4);
    assertThat(s.pendingMessages()).isZero();
    assertThat(t.subscriptionCount()).isZero();
    assertThat(t.server().subscriptionCount()).isZero();
  }

  @Test
  void subscriptionDrainTimesOutOnTheSchedulerAndDropsTheRest() throws Exception {
    VirtualScheduler time = VirtualScheduler.create();
    InMemoryTransport t = track(InMemoryTransport.builder().scheduler(time).build());
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(1);
    TransportSubscription s = t.subscribe("q", null, m -> {
      entered.countDown();
      release.await();
    });
    for (int i = 0; i < 3; i++) {
      t.publish("q", null, Headers.empty(), bytes("m" + i));
    }
    await(entered, "the first message");
    CompletableFuture<Void> drain = s.drain(Duration.ofSeconds(5));
    time.advance(Duration.ofMillis(4999));
    assertThat(drain).isNotDone();
    time.advance(Duration.ofMillis(1));
    assertThat(drain).isCompletedExceptionally();
    assertThatThrownBy(drain::join).hasCauseInstanceOf(TransportException.class)
        .hasMessageContaining("5000 ms");
    assertThat(s.isActive()).isFalse();
    assertThat(s.droppedMessages()).isEqualTo(2);
  }

  @Test
  void transportDrainTimesOutOnTheSchedulerAndClosesAnyway() throws Exception {
    VirtualScheduler time = VirtualScheduler.create();
    InMemoryTransport t = track(InMemoryTransport.builder().scheduler(time).build());
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(1);
    t.subscribe("q", null, m -> {
      entered.countDown();
      release.await();
    });
    t.publish("q", null, Headers.empty(), bytes("stuck"));
    await(entered, "the message");
    CompletableFuture<Void> drain = t.drain(Duration.ofSeconds(2));
    assertThat(t.drain(Duration.ofSeconds(2))).as("drain twice: same future").isSameAs(drain);
    assertThatThrownBy(() -> t.subscribe("other", null, m -> { }))
        .isInstanceOf(TransportException.class).hasMessageContaining("draining");
    time.advance(Duration.ofSeconds(2));
    assertThat(drain).isCompletedExceptionally();
    assertThat(t.isOpen()).isFalse();
  }

  @Test
  void closeDuringDrainFailsTheDrain() {
    InMemoryTransport t = track(InMemoryTransport.create());
    CountDownLatch release = gate();
    t.subscribe("q", null, m -> release.await());
    t.publish("q", null, Headers.empty(), bytes("stuck"));
    CompletableFuture<Void> drain = t.drain(WAIT);
    t.close();
    assertThat(drain).isCompletedExceptionally();
  }

  // ---------------------------------------------------------------- request / reply

  @Test
  void requestTimesOutExactlyWhenVirtualTimePassesItsTimeout() throws Exception {
    VirtualScheduler time = VirtualScheduler.create();
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport responder = track(server.connect());
    InMemoryTransport requester =
        track(InMemoryTransport.builder().server(server).scheduler(time).build());
    CountDownLatch received = new CountDownLatch(1);
    responder.subscribe("svc", null, m -> received.countDown()); // never replies

    CompletableFuture<TransportMessage> f =
        requester.request("svc", Headers.empty(), bytes("?"), Duration.ofSeconds(5));
    await(received, "the request at the silent responder");
    time.advance(Duration.ofMillis(4_999));
    assertThat(f).as("4.999 s in").isNotDone();
    assertThat(requester.pendingRequests()).isEqualTo(1);
    time.advance(Duration.ofMillis(1));
    assertThat(f).as("5 s in").isCompletedExceptionally();
    assertThatThrownBy(f::join).hasCauseInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("'svc'").hasMessageContaining("5000 ms");
    assertThat(requester.pendingRequests()).isZero();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void tenThousandAbandonedRequestsLeaveNoInboxOrTimerBehind() throws Exception {
    VirtualScheduler time = VirtualScheduler.create();
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport responder = track(server.connect());
    InMemoryTransport requester =
        track(InMemoryTransport.builder().server(server).scheduler(time).build());
    AtomicLong seen = new AtomicLong();
    responder.subscribe("svc", null, m -> seen.incrementAndGet());

    int n = 10_000;
    List<CompletableFuture<TransportMessage>> timedOut = new ArrayList<>();
    List<CompletableFuture<TransportMessage>> cancelled = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CompletableFuture<TransportMessage> f =
          requester.request("svc", Headers.empty(), bytes("r" + i), Duration.ofSeconds(1));
      if (i % 2 == 0) {
        assertThat(f.cancel(false)).isTrue();
        cancelled.add(f);
      } else {
        timedOut.add(f);
      }
    }
    // and some that fail at once for lack of responders
    for (int i = 0; i < 100; i++) {
      assertThat(requester.request("nobody", Headers.empty(), bytes("?"), Duration.ofSeconds(1)))
          .isCompletedExceptionally();
    }
    assertThat(requester.pendingRequests()).isEqualTo(n / 2);
    assertThat(time.pendingTasks()).as("cancelled requests cancel their timers").isEqualTo(n / 2);

    time.advance(Duration.ofSeconds(1));

    assertThat(requester.pendingRequests()).isZero();
    assertThat(time.pendingTasks()).isZero();
    assertThat(cancelled).allMatch(CompletableFuture::isCancelled);
    for (CompletableFuture<TransportMessage> f : timedOut) {
      assertThat(f).isCompletedExceptionally();
      assertThatThrownBy(f::join).hasCauseInstanceOf(RequestTimeoutException.class);
    }
  }

  @Test
  void cancellingARequestFreesItsInboxAndALateReplyIsCountedAsDropped() throws Exception {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport responder = track(server.connect());
    InMemoryTransport requester = track(server.connect());
    CompletableFuture<String> replyTo = new CompletableFuture<>();
    responder.subscribe("svc", null, m -> replyTo.complete(m.replyTo()));

    CompletableFuture<TransportMessage> f =
        requester.request("svc", Headers.empty(), bytes("?"), WAIT);
    String inbox = await(replyTo, "the request");
    assertThat(inbox).startsWith("_INBOX.");
    assertThat(requester.pendingRequests()).isEqualTo(1);
    f.cancel(false);
    assertThat(requester.pendingRequests()).isZero();

    responder.publish(inbox, null, Headers.empty(), bytes("too late"));
    assertThat(requester.stats().dropped()).isEqualTo(1);
    assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
  }

  @Test
  void dependentStagesOfARequestDoNotOwnTheInbox() throws Exception {
    InMemoryTransport t = track(InMemoryTransport.create());
    t.subscribe("svc", null, m -> t.publish(m.replyTo(), null, Headers.empty(), bytes("ok")));
    CompletableFuture<TransportMessage> f = t.request("svc", Headers.empty(), bytes("?"), WAIT);
    CompletableFuture<String> mapped = f.thenApply(InMemoryTransportTest::text);
    assertThat(await(mapped, "the mapped reply")).isEqualTo("ok");
    assertThat(mapped.getClass()).isEqualTo(CompletableFuture.class);
    assertThat(t.pendingRequests()).isZero();
  }

  // ---------------------------------------------------------------- routing under churn

  /**
   * Subscriptions come and go while a publisher runs flat out (each change invalidates the route
   * cache): a stable subscription misses nothing, and a new subscription gets every message whose
   * publish started after {@code subscribe} returned.
   */
  @Test
  void noMessageIsLostToALiveSubscriptionWhileOthersComeAndGo() throws Exception {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport pub = track(server.connect());
    InMemoryTransport sub = track(server.connect());
    InMemoryTransport stableSide = track(server.connect());
    AtomicLong completed = new AtomicLong(-1);
    AtomicBoolean stop = new AtomicBoolean();
    List<Long> stable = Collections.synchronizedList(new ArrayList<>());
    AtomicLong stableCount = new AtomicLong();
    CountDownLatch stableDone = new CountDownLatch(1);
    stableSide.subscribe("churn.x", null, m -> {
      long v = Long.parseLong(text(m));
      stable.add(v);
      stableCount.incrementAndGet();
      if (v == -1) {
        stableDone.countDown();
      }
    });

    CompletableFuture<Long> publisher = CompletableFuture.supplyAsync(() -> {
      long seq = 0;
      while (!stop.get()) {
        // back-pressure: stay well inside the stable subscription's pending limit
        if (seq - stableCount.get() > 10_000) {
          Thread.yield();
          continue;
        }
        pub.publish("churn.x", null, Headers.empty(), bytes(Long.toString(seq)));
        completed.set(seq++);
      }
      return seq;
    }, r -> new Thread(r, "churn-publisher").start());

    for (int round = 0; round < 200; round++) {
      String pattern = switch (round % 3) {
        case 0 -> "churn.x";
        case 1 -> "churn.*";
        default -> "churn.>";
      };
      List<Long> got = Collections.synchronizedList(new ArrayList<>());
      BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
      TransportSubscription s = sub.subscribe(pattern, null, m -> {
        long v = Long.parseLong(text(m));
        got.add(v);
        arrivals.add(v);
      });
      // publishes from completed+2 on started after subscribe returned
      long mustSee = completed.get() + 2;
      while (true) {
        Long v = arrivals.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (v == null) {
          fail("round " + round + ": message " + mustSee + " never reached " + pattern);
        }
        if (v >= mustSee) {
          break;
        }
      }
      s.unsubscribe();
      assertThat(got.get(0)).as("round %s: first message", round).isLessThanOrEqualTo(mustSee);
      for (int i = 1; i < got.size(); i++) {
        if (got.get(i) != got.get(i - 1) + 1) {
          fail("round " + round + " (" + pattern + "): got " + got.get(i) + " after "
              + got.get(i - 1));
        }
      }
    }
    stop.set(true);
    long total = await(publisher, "the publisher");
    // published after the publisher thread ended, so the stable subscription sees it last
    pub.publish("churn.x", null, Headers.empty(), bytes("-1"));
    await(stableDone, "the stable subscription to reach the final marker");
    assertThat(stableSide.stats().dropped()).isZero();
    assertThat(stable).hasSize((int) total + 1);
    for (int i = 0; i < total; i++) {
      if (stable.get(i) != i) {
        fail("stable subscription: message " + i + " arrived as " + stable.get(i));
      }
    }
  }

  // ---------------------------------------------------------------- leaks and inspection

  @Test
  void closeEndsTheDispatchThreadsAndForgetsEverything() throws Exception {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport t = server.connect();
    CountDownLatch got = new CountDownLatch(3);
    t.subscribe("a", null, m -> got.countDown());
    t.subscribe("b.*", "g", m -> got.countDown());
    t.subscribe(">", null, m -> { });
    t.publish("a", null, Headers.empty(), bytes("1"));
    t.publish("b.c", null, Headers.empty(), bytes("2"));
    t.publish("a", null, Headers.empty(), bytes("3"));
    await(got, "messages");
    assertThat(t.subscriptionCount()).isEqualTo(3);
    assertThat(server.subscriptionCount()).isEqualTo(3);

    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    t.addConnectionListener(events::add);
    t.close();

    assertThat(t.awaitThreadsTerminated(WAIT)).as("dispatch threads ended").isTrue();
    assertThat(t.subscriptionCount()).isZero();
    assertThat(server.subscriptionCount()).isZero();
    assertThat(server.connectionCount()).isZero();
    assertThat(server.routes.cachedSubjects()).isZero();
    assertThat(server.hasInterest("a")).isFalse();
    ConnectionEvent closed = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(closed).isNotNull();
    assertThat(closed.kind()).isEqualTo(ConnectionEvent.Kind.CLOSED);
  }

  @Test
  void unsubscribingPrunesTheRoutingTrie() {
    InMemoryServer server = InMemoryServer.create();
    InMemoryTransport t = track(server.connect());
    List<TransportSubscription> subs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      subs.add(t.subscribe("orchestrator.agent.a" + i + ".*", null, m -> { }));
    }
    assertThat(server.subscriptionCount()).isEqualTo(1000);
    assertThat(server.hasInterest("orchestrator.agent.a999.status_update")).isTrue();
    subs.forEach(TransportSubscription::unsubscribe);
    assertThat(server.subscriptionCount()).isZero();
    assertThat(server.hasInterest("orchestrator.agent.a999.status_update")).isFalse();
    assertThat(server.routes.isEmptyApartFromInboxes()).isTrue();
  }

  @Test
  void routeCacheStaysBounded() {
    InMemoryTransport t = track(InMemoryTransport.create());
    t.subscribe(">", null, m -> { });
    for (int i = 0; i < Routes.CACHE_LIMIT * 3; i++) {
      t.publish("s" + i, null, Headers.empty(), new byte[0]);
    }
    assertThat(t.server().routes.cachedSubjects()).isLessThanOrEqualTo(Routes.CACHE_LIMIT);
  }

  @Test
  void aHandlerThatLeavesItsThreadInterruptedDoesNotAffectTheNext() throws Exception {
    InMemoryTransport t = track(InMemoryTransport.create());
    BlockingQueue<Boolean> interruptedAtStart = new LinkedBlockingQueue<>();
    t.subscribe("i", null, m -> {
      interruptedAtStart.add(Thread.currentThread().isInterrupted());
      Thread.currentThread().interrupt();
    });
    t.publish("i", null, Headers.empty(), bytes("1"));
    t.publish("i", null, Headers.empty(), bytes("2"));
    assertThat(interruptedAtStart.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
    assertThat(interruptedAtStart.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void aThrowingConnectionListenerIsIgnored() throws Exception {
    InMemoryTransport t = track(InMemoryTransport.builder().pendingLimit(1).build());
    t.addConnectionListener(e -> {
      throw new IllegalStateException("listener failure provoked by the test");
    });
    BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
    t.addConnectionListener(events::add);
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(1);
    t.subscribe("s", null, m -> {
      entered.countDown();
      release.await();
    });
    t.publish("s", null, Headers.empty(), bytes("1"));
    await(entered, "first");
    t.publish("s", null, Headers.empty(), bytes("2"));
    t.publish("s", null, Headers.empty(), bytes("3"));
    ConnectionEvent e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(e).isNotNull();
    assertThat(e.kind()).isEqualTo(ConnectionEvent.Kind.SLOW_CONSUMER);
  }

  @Test
  void noRespondersFailsWithTheSubjectAndLeavesNoPendingRequest() {
    InMemoryTransport t = track(InMemoryTransport.create());
    CompletableFuture<TransportMessage> f =
        t.request("nobody.home", Headers.empty(), bytes("?"), WAIT);
    assertThatThrownBy(() -> f.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(NoRespondersException.class)
        .hasMessageContaining("'nobody.home'");
    assertThat(t.pendingRequests()).isZero();
  }
}
