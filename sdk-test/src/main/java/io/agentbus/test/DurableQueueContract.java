package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.HistoryOptions;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.QueueReceipt;
import io.agentbus.QueueStats;
import io.agentbus.ReplayResult;
import io.agentbus.ReplayStart;
import io.agentbus.Subscription;
import io.agentbus.TransportException;
import io.agentbus.spi.Codec;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What durable work queues, kept dead letters and replay promise on any transport with {@linkplain
 * Transport#durableStreams() durable streams}: items wait in the store for a worker; a publish is
 * acknowledged by the store and de-duplicated by message id; items are acknowledged explicitly,
 * retried with backoff, dead-lettered after the maximum deliveries with their error and delivery
 * count; a worker that dies has its item redelivered after the ack wait; a redelivered copy of an
 * item already handled (its acknowledgement lost) is not handled again; kept broadcasts replay
 * from the beginning, a time, or a sequence.
 *
 * <p>Extend it with a transport factory and a codec; the in-memory and NATS (JetStream)
 * transports both run it. It runs in real time with short delays (a NATS server keeps its own
 * clock); exact timings under virtual time are the in-memory transport's own tests. Each test
 * works in a namespace of its own, so that streams left by one test do not meet the next.
 *
 * <p>This file is longer than the project's 600-line rule on purpose: a compatibility kit is one
 * class to extend per implementation (as Micrometer's {@code MeterRegistryCompatibilityKit} is),
 * and every test in it is a promise that a user can read next to the others.
 */
public abstract class DurableQueueContract {
  /** A guard against hangs, not a performance bound. */
  protected static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final List<MessageBus> buses = Collections.synchronizedList(new ArrayList<>());
  private final List<Transport> rawTransports = Collections.synchronizedList(new ArrayList<>());
  /** This test's namespace. */
  protected String ns = "";

  /** A new transport connected to the same broker (server) as the others in this test. */
  protected abstract Transport newTransport();

  /** The codec the buses publish with. */
  protected abstract Codec codec();

  /**
   * A transport whose {@link Transport#close()} drops the connection at once, abandoning what
   * its handlers are doing, as a crashed process would; by default {@link #newTransport()}.
   * Override it when {@code close()} normally waits for handlers (NATS drains first).
   */
  protected Transport newTransportThatDiesAbruptly() {
    return newTransport();
  }

  @BeforeEach
  void pickNamespace() {
    ns = "dq" + ProcessHandle.current().pid() + "n" + NAMESPACES.incrementAndGet();
  }

  @AfterEach
  void closeEverything() {
    synchronized (buses) {
      buses.forEach(MessageBus::close);
      buses.clear();
    }
    synchronized (rawTransports) {
      rawTransports.forEach(Transport::close);
      rawTransports.clear();
    }
  }

  /** A bus in this test's namespace on a new transport, closed after the test. */
  protected MessageBus newBus(MessageBus.Builder builder) {
    return newBus(builder, newTransport());
  }

  protected MessageBus newBus(MessageBus.Builder builder, Transport transport) {
    MessageBus bus = builder.transport(transport).codec(codec()).namespace(ns).build();
    buses.add(bus);
    return bus;
  }

  /** A transport used directly (raw subscribers), closed after the test. */
  protected Transport newRawTransport() {
    Transport t = newTransport();
    rawTransports.add(t);
    return t;
  }

  /** Quick retries so the tests run in well under a second each. */
  protected static QueueOptions.Builder quick() {
    return QueueOptions.durable()
        .backoff(Duration.ofMillis(100), Duration.ofMillis(200))
        .ackWait(Duration.ofSeconds(2))
        .maxDeliveries(3);
  }

  private MessageBus.Builder withQueue(String queue, QueueOptions options) {
    return MessageBus.builder().queue(queue, options);
  }

  private static AgentMessage item(long n) {
    return AgentMessage.builder().fromAgent("test-coordinator")
        .messageType(MessageType.TASK_ASSIGNMENT).content(Map.of("item", n))
        .timestamp(Instant.parse("2025-12-05T14:30:00Z")).build();
  }

  private static long itemOf(Delivery d) {
    return (Long) d.message().content().get("item");
  }

  // ------------------------------------------------------------------ durable queues

  @Test
  void itemsPublishedWhileNoWorkerExistsWaitInTheStoreForOne() throws Exception {
    MessageBus producer = newBus(withQueue("builds", quick().build()));
    List<Long> sequences = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      QueueReceipt r = producer.publishToQueue("builds", item(i), "build-" + i);
      assertThat(r.stored()).isTrue();
      assertThat(r.duplicate()).isFalse();
      assertThat(r.messageId()).isEqualTo("build-" + i);
      assertThat(r.stream()).isEqualTo(ns + "_queue_builds");
      sequences.add(r.sequence());
    }
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    producer.endpoint("test-coordinator").publishToQueue("builds", MessageType.TASK_ASSIGNMENT,
        Map.of("item", 20L));

    MessageBus worker = newBus(withQueue("builds", quick().build()));
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(21);
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    worker.createWorkQueue("builds", d -> {
      seen.computeIfAbsent(itemOf(d), k -> new AtomicInteger()).incrementAndGet();
      ids.add(d.messageId());
      assertThat(d.deliveryCount()).isEqualTo(1);
      assertThat(d.sequence()).isPositive();
      all.countDown();
    }, 2);
    await(all);
    assertThat(seen).hasSize(21);
    assertThat(seen.values()).allMatch(n -> n.get() == 1);
    assertThat(ids).contains("build-0", "build-19").doesNotContainNull();
    assertThat(producer.queueStats("builds").published()).isEqualTo(21);
  }

  @Test
  void aPublishRepeatedWithTheSameIdIsStoredOnce() throws Exception {
    MessageBus bus = newBus(withQueue("deploys", quick().build()));
    QueueReceipt first = bus.publishToQueue("deploys", item(1), "deploy-42");
    QueueReceipt again = bus.publishToQueue("deploys", item(1), "deploy-42");
    QueueReceipt other = bus.publishToQueue("deploys", item(2), "deploy-43");
    assertThat(first.duplicate()).isFalse();
    assertThat(again.duplicate()).isTrue();
    assertThat(again.stored()).isTrue();
    assertThat(other.duplicate()).isFalse();
    assertThat(other.sequence()).isGreaterThan(first.sequence());

    BlockingQueue<Long> got = new LinkedBlockingQueue<>();
    bus.createWorkQueue("deploys", d -> got.add(itemOf(d)), 1);
    assertThat(take(got)).isEqualTo(1L);
    assertThat(take(got)).isEqualTo(2L);
    // the duplicate would be next in line; the store has nothing more to give
    QueueReceipt marker = bus.publishToQueue("deploys", item(3), "deploy-44");
    assertThat(take(got)).isEqualTo(3L);
    assertThat(marker.sequence()).isEqualTo(other.sequence() + 1);
    assertThat(bus.queueStats("deploys").publishDuplicates()).isEqualTo(1);
  }

  @Test
  void aThrowingHandlerGetsTheItemAgainAfterTheBackoff() throws Exception {
    MessageBus bus = newBus(withQueue("flaky", quick().maxDeliveries(5).build()));
    List<Integer> counts = Collections.synchronizedList(new ArrayList<>());
    List<Long> times = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch handled = new CountDownLatch(1);
    bus.createWorkQueue("flaky", d -> {
      times.add(System.nanoTime());
      counts.add(d.deliveryCount());
      if (d.deliveryCount() < 3) {
        throw new IllegalStateException("dependency not ready (attempt " + d.deliveryCount() + ")");
      }
      handled.countDown();
    }, 1);
    bus.publishToQueue("flaky", item(7), "flaky-7");
    await(handled);
    assertThat(counts).containsExactly(1, 2, 3);
    assertThat(Duration.ofNanos(times.get(1) - times.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(Duration.ofNanos(times.get(2) - times.get(1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    QueueStats stats = awaitStats(bus, "flaky", s -> s.handled() == 1);
    assertThat(stats.handlerFailures()).isEqualTo(2);
    assertThat(stats.retried()).isEqualTo(2);
    assertThat(stats.redelivered()).isEqualTo(2);
    assertThat(stats.deadLettered()).isZero();
  }

  @Test
  void afterMaxDeliveriesTheItemIsDeadLetteredWithItsErrorAndDeliveryCount() throws Exception {
    MessageBus bus = newBus(withQueue("poison", quick().build()));
    Transport watcher = newRawTransport();
    BlockingQueue<TransportMessage> dead = new LinkedBlockingQueue<>();
    watcher.subscribe(ns + ".deadletter", null, dead::add);
    watcher.flush(WAIT);
    AtomicInteger calls = new AtomicInteger();
    bus.createWorkQueue("poison", d -> {
      calls.incrementAndGet();
      throw new IllegalArgumentException("cannot parse item " + itemOf(d));
    }, 1);
    bus.publishToQueue("poison", item(13), "poison-13");

    TransportMessage letter = take(dead);
    assertThat(letter.headers().first(Headers.ERROR)).contains("cannot parse item 13")
        .contains("IllegalArgumentException");
    assertThat(letter.headers().first(Headers.DELIVERY_COUNT)).isEqualTo("3");
    assertThat(letter.headers().first(Headers.ORIGINAL_SUBJECT)).isEqualTo(ns + ".queue.poison");
    assertThat(letter.headers().first(Headers.ORIGINAL_STREAM)).isEqualTo(ns + "_queue_poison");
    assertThat(letter.headers().first(Headers.ORIGINAL_MESSAGE_ID)).isEqualTo("poison-13");
    assertThat(letter.headers().first(Headers.MESSAGE_ID)).isEqualTo(ns + "_queue_poison/poison-13");
    assertThat(codec().decode(letter.payload()).content()).containsEntry("item", 13L);
    QueueStats stats = awaitStats(bus, "poison", s -> s.deadLettered() == 1);
    assertThat(stats.handlerFailures()).isEqualTo(3);
    assertThat(calls).hasValue(3);
    assertThat(bus.stats().deadLettered()).isEqualTo(1);

    // the dead letter is kept, and the item is no longer queued: the next item is handled next
    List<Delivery> kept = new ArrayList<>();
    ReplayResult r = bus.replay(ns + ".deadletter", ReplayStart.beginning(), kept::add)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r.delivered()).isEqualTo(1);
    assertThat(kept.get(0).headers().first(Headers.DELIVERY_COUNT)).isEqualTo("3");
    assertThat(kept.get(0).message().content()).containsEntry("item", 13L);
  }

  @Test
  void anItemWhoseWorkerDiedIsRedeliveredAfterTheAckWait() throws Exception {
    QueueOptions options = quick().ackWait(Duration.ofMillis(1500)).build();
    Transport doomed = newTransportThatDiesAbruptly();
    MessageBus dying = newBus(withQueue("jobs", options), doomed);
    CountDownLatch taken = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    dying.createWorkQueue("jobs", d -> {
      taken.countDown();
      never.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the worker hangs, then dies
    }, 1);
    MessageBus producer = newBus(withQueue("jobs", options));
    producer.publishToQueue("jobs", item(99), "job-99");
    await(taken);
    dying.close(); // the connection goes away with the item unacknowledged

    MessageBus survivor = newBus(withQueue("jobs", options));
    BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
    survivor.createWorkQueue("jobs", got::add, 1);
    Delivery d = take(got);
    never.countDown();
    assertThat(itemOf(d)).isEqualTo(99L);
    assertThat(d.deliveryCount()).isEqualTo(2);
    assertThat(d.messageId()).isEqualTo("job-99");
  }

  @Test
  void aRedeliveredCopyOfAnItemAlreadyHandledIsAcknowledgedWithoutHandlingItAgain()
      throws Exception {
    QueueOptions options = quick().ackWait(Duration.ofMillis(1000)).build();
    // the store never hears the first acknowledgement of item 5, as if the server died after
    // the handler returned: it delivers the item again after the ack wait
    LosingFirstAck lossy = new LosingFirstAck(newTransport(), "lost-5");
    MessageBus bus = newBus(withQueue("ledger", options), lossy);
    Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();
    bus.createWorkQueue("ledger", d ->
        handled.computeIfAbsent(itemOf(d), k -> new AtomicInteger()).incrementAndGet(), 1);
    bus.publishToQueue("ledger", item(5), "lost-5");
    bus.publishToQueue("ledger", item(6), "kept-6");

    QueueStats stats = awaitStats(bus, "ledger", s -> s.duplicatesSuppressed() == 1);
    assertThat(lossy.redeliveredAfterLoss.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(handled.get(5L)).hasValue(1);
    assertThat(handled.get(6L)).hasValue(1);
    assertThat(stats.handled()).isEqualTo(2);
    assertThat(stats.ackFailures()).isEqualTo(1);
    assertThat(stats.redelivered()).isEqualTo(1);
  }

  @Test
  void aCountShowsAnOutcomeOnlyOnceTheStoreHasBeenToldOfIt() throws Exception {
    // a test or dashboard that waits for "retried" or "handled" may then rely on the store
    // knowing: the redelivery is scheduled, the acknowledgement sent
    NotingCountsAtStoreCalls noting = new NotingCountsAtStoreCalls(newTransport(), "ordered");
    MessageBus bus = newBus(withQueue("ordered", quick().build()), noting);
    noting.bus = bus;
    bus.createWorkQueue("ordered", d -> {
      if (d.deliveryCount() == 1) {
        throw new IllegalStateException("first attempt fails");
      }
    }, 1);
    bus.publishToQueue("ordered", item(1), "ordered-1");

    assertThat(take(noting.calls)).isEqualTo("retry handled=0 retried=0");
    assertThat(take(noting.calls)).isEqualTo("ack handled=0 retried=1");
    QueueStats stats = awaitStats(bus, "ordered", s -> s.handled() == 1);
    assertThat(stats.retried()).isEqualTo(1);
  }

  @Test
  void workersOfSeveralBusesShareTheQueueAndEachItemIsHandledOnce() throws Exception {
    int items = 300;
    MessageBus producer = newBus(withQueue("tests", quick().build()));
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(items);
    Set<MessageBus> servedBy = ConcurrentHashMap.newKeySet();
    for (int b = 0; b < 2; b++) {
      MessageBus worker = newBus(withQueue("tests", quick().build()));
      worker.createWorkQueue("tests", d -> {
        servedBy.add(worker);
        seen.computeIfAbsent(itemOf(d), k -> new AtomicInteger()).incrementAndGet();
        done.countDown();
      }, 2);
    }
    List<CompletableFuture<QueueReceipt>> receipts = new ArrayList<>();
    for (long i = 0; i < items; i++) {
      receipts.add(producer.publishToQueueAsync("tests", item(i), "test-" + i));
    }
    CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    await(done);
    assertThat(seen).hasSize(items);
    assertThat(seen.values()).allMatch(n -> n.get() == 1);
    assertThat(servedBy).hasSize(2);
  }

  /**
   * Agents' items are often slow (a language model call): an idle worker takes the next item
   * while another worker is busy, rather than that item waiting unseen behind the busy worker's
   * current one, and no item is handed out twice meanwhile.
   */
  @Test
  void whileOneWorkerIsBusyTheNextItemGoesToAnIdleWorkerAndNoItemTwice() throws Exception {
    // an ack wait longer than the test, so that nothing comes back by redelivery
    QueueOptions options = quick().ackWait(Duration.ofSeconds(60)).build();
    MessageBus producer = newBus(withQueue("slow", options));
    for (long i = 0; i < 2; i++) {
      producer.publishToQueueAsync("slow", item(i), "slow-" + i)
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    CountDownLatch bothStarted = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2);
    List<String> starts = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int b = 0; b < 2; b++) {
      MessageBus worker = newBus(withQueue("slow", options));
      worker.createWorkQueue("slow", d -> {
        starts.add(itemOf(d) + "#" + d.deliveryCount());
        bothStarted.countDown();
        // busy until both items are under way, so the second must have gone to the other worker
        release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        done.countDown();
      }, 1);
    }
    try {
      assertThat(bothStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("both items under way at once, on the two workers; started: %s", starts).isTrue();
    } finally {
      release.countDown();
    }
    await(done);
    assertThat(starts).containsExactlyInAnyOrder("0#1", "1#1");
  }

  @Test
  void drainingAWorkerFinishesItsItemAndLeavesTheRestQueued() throws Exception {
    MessageBus first = newBus(withQueue("reports", quick().build()));
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> firstDone = Collections.synchronizedList(new ArrayList<>());
    Subscription s = first.createWorkQueue("reports", d -> {
      inHandler.countDown();
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      firstDone.add(itemOf(d));
    }, 1);
    first.publishToQueue("reports", item(0), "report-0");
    await(inHandler);
    // published while the worker holds item 0, so none of these is in the batch it took
    for (long i = 1; i < 5; i++) {
      first.publishToQueue("reports", item(i), "report-" + i);
    }
    CompletableFuture<Void> drained = s.drain(WAIT);
    assertThat(drained).isNotDone();
    release.countDown();
    drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    // the item in hand is finished; the others stay queued for another worker
    assertThat(firstDone).startsWith(0L).hasSizeLessThan(5);
    assertThat(first.queueStats("reports").ackFailures()).isZero();

    MessageBus second = newBus(withQueue("reports", quick().build()));
    BlockingQueue<Long> rest = new LinkedBlockingQueue<>();
    second.createWorkQueue("reports", d -> rest.add(itemOf(d)), 1);
    List<Long> all = new ArrayList<>(firstDone);
    while (all.size() < 5) {
      all.add(take(rest));
    }
    assertThat(all).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void durableAndAtMostOnceQueuesLiveSideBySide() throws Exception {
    MessageBus bus = newBus(withQueue("durable", quick().build()));
    assertThat(bus.queueOptions("durable").isDurable()).isTrue();
    assertThat(bus.queueOptions("plain").isDurable()).isFalse();
    BlockingQueue<Delivery> plain = new LinkedBlockingQueue<>();
    bus.createWorkQueue("plain", plain::add, 1);
    bus.flush(WAIT);
    QueueReceipt r = bus.publishToQueue("plain", item(1), "plain-1");
    assertThat(r.stored()).isFalse();
    Delivery d = take(plain);
    assertThat(d.messageId()).isEqualTo("plain-1");
    assertThat(d.sequence()).isZero();
    assertThat(d.deliveryCount()).isEqualTo(1);
    awaitStats(bus, "plain", st -> st.handled() == 1);
  }

  // ------------------------------------------------------------------ replay

  @Test
  void keptBroadcastsReplayFromTheBeginningATimeOrASequence() throws Exception {
    MessageBus.Builder keeping = MessageBus.builder()
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build());
    MessageBus orchestrator = newBus(keeping);
    for (long i = 0; i < 5; i++) {
      orchestrator.endpoint("agent-" + i).broadcast(MessageType.TASK_COMPLETE, Map.of("task", i));
      orchestrator.endpoint("agent-" + i).broadcast(MessageType.STATUS_UPDATE, Map.of("status", "idle"));
    }
    orchestrator.flush(WAIT);

    // an agent that joins late catches up
    MessageBus late = newBus(MessageBus.builder()
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build()));
    List<Delivery> completions = Collections.synchronizedList(new ArrayList<>());
    ReplayResult all = late.replay(late.subjects().broadcast(MessageType.TASK_COMPLETE),
        ReplayStart.beginning(), completions::add).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(all.delivered()).isEqualTo(5);
    assertThat(completions).extracting(d -> d.message().content().get("task"))
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(completions).extracting(Delivery::sequence).isSorted();
    assertThat(all.lastSequence()).isEqualTo(completions.get(4).sequence());

    List<Delivery> everything = Collections.synchronizedList(new ArrayList<>());
    ReplayResult both = late.replay(late.subjects().allBroadcasts(), ReplayStart.beginning(),
        everything::add).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(both.delivered()).isEqualTo(10);

    long third = completions.get(2).sequence();
    List<Delivery> after = Collections.synchronizedList(new ArrayList<>());
    late.replay(late.subjects().broadcast(MessageType.TASK_COMPLETE),
        ReplayStart.afterSequence(third), after::add).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(after).extracting(d -> d.message().content().get("task")).containsExactly(3L, 4L);

    Instant fourthStored = completions.get(3).storedAt();
    assertThat(fourthStored).isNotNull();
    List<Delivery> since = Collections.synchronizedList(new ArrayList<>());
    late.replay(late.subjects().broadcast(MessageType.TASK_COMPLETE),
        ReplayStart.since(fourthStored), since::add).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(since).extracting(d -> d.message().content().get("task")).contains(3L, 4L)
        .doesNotContain(0L, 1L);
  }

  @Test
  void aReplayHandlerThatThrowsIsCountedAndTheReplayGoesOn() throws Exception {
    MessageBus bus = newBus(MessageBus.builder()
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build()));
    for (long i = 0; i < 3; i++) {
      bus.endpoint("a").broadcast(MessageType.STATUS_UPDATE, Map.of("n", i));
    }
    bus.flush(WAIT);
    List<Long> got = Collections.synchronizedList(new ArrayList<>());
    ReplayResult r = bus.replay(bus.subjects().allBroadcasts(), ReplayStart.beginning(), d -> {
      long n = (Long) d.message().content().get("n");
      if (n == 1) {
        throw new IllegalStateException("bad record");
      }
      got.add(n);
    }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(got).containsExactly(0L, 2L);
    assertThat(r.delivered()).isEqualTo(3);
    assertThat(r.handlerFailures()).isEqualTo(1);
  }

  @Test
  void replayingWhatIsNotKeptFailsNamingWhatIs() {
    MessageBus bus = newBus(MessageBus.builder()
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build()));
    assertThatThrownBy(() -> bus.replay(bus.subjects().allDirect("architect-001"),
        ReplayStart.beginning(), d -> { }))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(ns + ".broadcast.>");
  }

  @Test
  void anEmptyHistoryReplaysNothingAndCompletes() throws Exception {
    MessageBus bus = newBus(MessageBus.builder()
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build()));
    ReplayResult r = bus.replay(bus.subjects().allBroadcasts(), ReplayStart.beginning(), d -> {
      throw new AssertionError("nothing was broadcast");
    }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r.delivered()).isZero();
    assertThat(r.lastSequence()).isZero();
  }

  // ------------------------------------------------------------------ queue state

  @Test
  void theStoreReportsStoredWaitingPendingAndRedeliveredItems() throws Exception {
    DurableStreams streams = newRawTransport().durableStreams().orElseThrow();
    String stream = ns + "_state";
    String subject = ns + ".state.items";
    assertThat(streams.queueState(stream, "workers")).as("no stream yet").isEmpty();
    streams.declare(new StreamSpec(stream, List.of(subject), StreamSpec.Retention.WORK_QUEUE,
        Duration.ZERO, -1, Duration.ofMinutes(1), 1));
    for (int i = 1; i <= 5; i++) {
      streams.publish(subject, Headers.empty(), new byte[] {(byte) i}, ns + "-item-" + i, WAIT)
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertThat(streams.queueState(stream, "workers")).contains(
        new QueueState(stream, "workers", 5, false, 0, 0, 0));

    // a worker takes two items (its limit) and settles none of them yet
    BlockingQueue<StoredMessage> taken = new LinkedBlockingQueue<>();
    streams.consume(new ConsumerSpec(stream, "workers", subject, Duration.ofMinutes(1), 2),
        taken::add);
    StoredMessage first = take(taken);
    StoredMessage second = take(taken);
    awaitState(streams, stream, new QueueState(stream, "workers", 5, true, 3, 2, 0));

    // the first is handed back and delivered again: still pending, now redelivered
    first.retryAfter(Duration.ZERO);
    StoredMessage again = take(taken);
    assertThat(again.sequence()).isEqualTo(first.sequence());
    assertThat(again.deliveryCount()).isEqualTo(2);
    awaitState(streams, stream, new QueueState(stream, "workers", 5, true, 3, 2, 1));

    // both acknowledged: removed from the stream, and the worker takes the next two
    again.ack();
    second.ack();
    take(taken);
    take(taken);
    awaitState(streams, stream, new QueueState(stream, "workers", 3, true, 1, 2, 0));
  }

  @Test
  void aBusReportsItsDurableQueueAsTheStoreSeesIt() throws Exception {
    MessageBus bus = newBus(withQueue("depth", quick().build()));
    assertThat(bus.queueState("fast")).as("an at-most-once queue keeps nothing").isEmpty();
    for (long i = 1; i <= 3; i++) {
      bus.publishToQueue("depth", item(i), ns + "-depth-" + i);
    }
    QueueState state = bus.queueState("depth").orElseThrow();
    assertThat(state.stored()).isEqualTo(3);
    assertThat(state.consumerExists()).as("no worker has started").isFalse();

    CountDownLatch handled = new CountDownLatch(3);
    bus.createWorkQueue("depth", d -> handled.countDown(), 1);
    await(handled);
    awaitState(bus.transport().durableStreams().orElseThrow(), state.stream(),
        new QueueState(state.stream(), state.consumer(), 0, true, 0, 0, 0));
  }

  // ------------------------------------------------------------------ helpers

  protected static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("still waiting for %s events after %s", latch.getCount(), WAIT).isTrue();
  }

  protected static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
    T t = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(t).as("nothing arrived within %s", WAIT).isNotNull();
    return t;
  }

  /** Waits until the store reports {@code expected}; it updates just after each settle. */
  protected static void awaitState(DurableStreams streams, String stream, QueueState expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Optional<QueueState> s = streams.queueState(stream, expected.consumer());
    while (!s.equals(Optional.of(expected))) {
      assertThat(System.nanoTime() < deadline).as("queue state never became %s: %s", expected, s)
          .isTrue();
      TimeUnit.MILLISECONDS.sleep(5); // polling the store, not waiting for time to pass
      s = streams.queueState(stream, expected.consumer());
    }
  }

  /** Waits until the queue's counters satisfy {@code condition}; they settle just after handling. */
  protected static QueueStats awaitStats(MessageBus bus, String queue,
      Predicate<QueueStats> condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    QueueStats s = bus.queueStats(queue);
    while (!condition.test(s)) {
      assertThat(System.nanoTime() < deadline).as("queue stats never matched: %s", s).isTrue();
      TimeUnit.MILLISECONDS.sleep(5); // polling counters, not waiting for time to pass
      s = bus.queueStats(queue);
    }
    return s;
  }

  /**
   * A transport whose durable streams lose the first acknowledgement of one message id: the
   * acknowledgement throws as it would if the server died before confirming, and the store is
   * not told, so it redelivers the item after the ack wait.
   */
  private static final class LosingFirstAck extends StoreIntercepting {
    private final String victim;
    private final AtomicInteger lost = new AtomicInteger();
    final CountDownLatch redeliveredAfterLoss = new CountDownLatch(1);

    LosingFirstAck(Transport delegate, String victim) {
      super(delegate);
      this.victim = victim;
    }

    @Override
    StoredMessage intercept(StoredMessage m) {
      if (!victim.equals(m.messageId())) {
        return m;
      }
      if (lost.get() > 0) {
        redeliveredAfterLoss.countDown();
        return m;
      }
      return new ForwardingStoredMessage(m) {
        @Override
        public void ack() {
          lost.incrementAndGet();
          throw new TransportException("simulated: the server died before confirming the ack",
              null, true);
        }
      };
    }
  }

  /**
   * A transport that notes, as each acknowledgement or redelivery request reaches the store, what
   * the queue's counters said at that moment.
   */
  private static final class NotingCountsAtStoreCalls extends StoreIntercepting {
    private final String queue;
    volatile @Nullable MessageBus bus;
    final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

    NotingCountsAtStoreCalls(Transport delegate, String queue) {
      super(delegate);
      this.queue = queue;
    }

    @Override
    StoredMessage intercept(StoredMessage m) {
      return new ForwardingStoredMessage(m) {
        @Override
        public void ack() {
          note("ack");
          super.ack();
        }

        @Override
        public void retryAfter(Duration delay) {
          note("retry");
          super.retryAfter(delay);
        }
      };
    }

    private void note(String call) {
      QueueStats s = bus.queueStats(queue);
      calls.add(call + " handled=" + s.handled() + " retried=" + s.retried());
    }
  }

  /** A stored message passing every call to the one it wraps. */
  private static class ForwardingStoredMessage implements StoredMessage {
    private final StoredMessage m;

    ForwardingStoredMessage(StoredMessage m) {
      this.m = m;
    }

    @Override
    public TransportMessage message() {
      return m.message();
    }

    @Override
    public String stream() {
      return m.stream();
    }

    @Override
    public long sequence() {
      return m.sequence();
    }

    @Override
    public Instant storedAt() {
      return m.storedAt();
    }

    @Override
    public int deliveryCount() {
      return m.deliveryCount();
    }

    @Override
    public void ack() {
      m.ack();
    }

    @Override
    public void retryAfter(Duration delay) {
      m.retryAfter(delay);
    }

    @Override
    public void inProgress() {
      m.inProgress();
    }
  }

  /**
   * A transport passing everything to another, except that the stored messages its durable
   * consumers deliver go through {@link #intercept} first.
   */
  private abstract static class StoreIntercepting extends ForwardingTransport {
    StoreIntercepting(Transport delegate) {
      super(delegate);
    }

    abstract StoredMessage intercept(StoredMessage m);

    @Override
    protected DurableStreams streams(DurableStreams real) {
      return new ForwardingDurableStreams(real) {
        @Override
        public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
          return super.consume(spec, m -> handler.onMessage(intercept(m)));
        }
      };
    }
  }
}
