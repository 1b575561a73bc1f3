package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.test.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store on its own, under virtual time: the timings the contract suite cannot pin
 * down in real time (ack wait, delayed retry, duplicate window, age limits) hold to the
 * millisecond.
 */
class InMemoryStreamsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration ACK_WAIT = Duration.ofSeconds(30);

  private final VirtualScheduler time = VirtualScheduler.create();
  private final InMemoryStreams store = new InMemoryStreams(time);
  private final List<String> plainPublishes = new ArrayList<>();
  private final StreamSession session = store.session((subject, headers, payload) -> {
    plainPublishes.add(subject);
    store.capture(subject, headers, payload);
  });
  private final List<CountDownLatch> toRelease = new ArrayList<>();

  @AfterEach
  void stop() {
    toRelease.forEach(CountDownLatch::countDown);
    session.close();
  }

  private static StreamSpec workQueue(String name, String subject) {
    return new StreamSpec(name, List.of(subject), StreamSpec.Retention.WORK_QUEUE, Duration.ZERO,
        -1, Duration.ofMinutes(2), 1);
  }

  private static ConsumerSpec consumer(String stream, String subject) {
    return new ConsumerSpec(stream, "workers", subject, ACK_WAIT, 100);
  }

  private StoreAck publish(String subject, String id) throws Exception {
    return session.publish(subject, Headers.empty(), id.getBytes(StandardCharsets.UTF_8), id,
        WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A worker that records each delivery and then hangs until the test ends, settling nothing. */
  private TransportSubscription stuckWorker(String stream, String subject,
      BlockingQueue<StoredMessage> got) {
    CountDownLatch release = new CountDownLatch(1);
    toRelease.add(release);
    return session.consume(consumer(stream, subject), m -> {
      got.add(m);
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  private static StoredMessage take(BlockingQueue<StoredMessage> q) throws InterruptedException {
    StoredMessage m = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("no delivery within %s", WAIT).isNotNull();
    return m;
  }

  @Test
  void anUnsettledMessageIsRedeliveredExactlyWhenItsAckWaitEnds() throws Exception {
    store.session(store::capture).declare(workQueue("q", "ns.queue.q"));
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    stuckWorker("q", "ns.queue.q", got);
    publish("ns.queue.q", "a");
    StoredMessage first = take(got);
    assertThat(first.deliveryCount()).isEqualTo(1);
    assertThat(first.storedAt()).isEqualTo(time.now());

    time.advance(ACK_WAIT.minusMillis(1));
    assertThat(store.consumerState("q", "workers"))
        .isEqualTo(new InMemoryStreams.ConsumerState(1, 0));
    time.advance(Duration.ofMillis(1));
    // the only worker is stuck, so the redelivery waits in line
    assertThat(store.consumerState("q", "workers"))
        .isEqualTo(new InMemoryStreams.ConsumerState(0, 1));
  }

  @Test
  void inProgressStartsTheAckWaitAgain() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    stuckWorker("q", "ns.queue.q", got);
    publish("ns.queue.q", "a");
    StoredMessage m = take(got);
    time.advance(ACK_WAIT.minusSeconds(1));
    m.inProgress();
    time.advance(ACK_WAIT.minusMillis(1));
    assertThat(store.consumerState("q", "workers").awaitingRedelivery()).isZero();
    time.advance(Duration.ofMillis(1));
    assertThat(store.consumerState("q", "workers").awaitingRedelivery()).isEqualTo(1);
  }

  @Test
  void aDelayedRetryComesBackAfterItsDelayWithTheNextDeliveryCount() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    session.consume(consumer("q", "ns.queue.q"), m -> {
      if (m.deliveryCount() == 1) {
        m.retryAfter(Duration.ofSeconds(5));
      } else {
        m.ack();
      }
      got.add(m); // after settling, so that the test moves time only once the retry is set
    });
    publish("ns.queue.q", "a");
    assertThat(take(got).deliveryCount()).isEqualTo(1);
    time.advance(Duration.ofMillis(4999));
    assertThat(got).isEmpty();
    assertThat(store.consumerState("q", "workers").unsettled()).isEqualTo(1);
    time.advance(Duration.ofMillis(1));
    StoredMessage again = take(got);
    assertThat(again.deliveryCount()).isEqualTo(2);
    assertThat(again.sequence()).isEqualTo(1);
  }

  @Test
  void anAcknowledgedWorkItemIsRemovedAndALateAckStillCounts() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    stuckWorker("q", "ns.queue.q", got);
    publish("ns.queue.q", "a");
    StoredMessage first = take(got);
    time.advance(ACK_WAIT); // due for redelivery, waiting in line
    assertThat(store.storedCount("q")).isEqualTo(1);
    first.ack(); // late, as NATS allows
    assertThat(store.storedCount("q")).isZero();
    assertThat(store.consumerState("q", "workers"))
        .isEqualTo(new InMemoryStreams.ConsumerState(0, 0));
  }

  @Test
  void aMessageIdIsDeduplicatedWithinTheWindowOnly() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    StoreAck first = publish("ns.queue.q", "x");
    time.advance(Duration.ofMinutes(2).minusMillis(1));
    StoreAck again = publish("ns.queue.q", "x");
    assertThat(again.duplicate()).isTrue();
    assertThat(again.sequence()).isEqualTo(first.sequence());
    time.advance(Duration.ofMillis(1));
    StoreAck later = publish("ns.queue.q", "x");
    assertThat(later.duplicate()).isFalse();
    assertThat(later.sequence()).isEqualTo(2);
    assertThat(store.storedCount("q")).isEqualTo(2);
  }

  @Test
  void plainPublishesAreCapturedAndDeliveredToPlainSubscribersToo() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    store.capture("ns.queue.q", Headers.empty(), new byte[] {1});
    publish("ns.queue.q", "y");
    assertThat(plainPublishes).containsExactly("ns.queue.q");
    assertThat(store.storedCount("q")).isEqualTo(2);
    assertThat(store.capture("ns.elsewhere", Headers.empty(), new byte[0])).isNull();
  }

  @Test
  void publishingWhereNoStreamCapturesFails() {
    assertThat(session.publish("ns.nowhere", Headers.empty(), new byte[0], "z", WAIT))
        .failsWithin(WAIT).withThrowableThat().withCauseInstanceOf(TransportException.class)
        .withMessageContaining("No stream captures subject 'ns.nowhere'");
  }

  @Test
  void historyOlderThanItsMaxAgeOrBeyondItsMaxMessagesIsGone() throws Exception {
    session.declare(new StreamSpec("h", List.of("ns.broadcast.>"), StreamSpec.Retention.LIMITS,
        Duration.ofHours(1), 3, Duration.ofMinutes(2), 1));
    for (int i = 1; i <= 4; i++) {
      publish("ns.broadcast.status_update", "m" + i);
      time.advance(Duration.ofMinutes(25));
    }
    // 4 stored at 0, 25, 50, 75 min; the first evicted by maxMessages; now, at 100 min, m2 is
    // older than an hour
    List<Long> seqs = new ArrayList<>();
    long n = session.replay(new ReplaySpec("h", "ns.broadcast.*", null, 1),
        m -> seqs.add(m.sequence())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(seqs).containsExactly(3L, 4L);
    assertThat(n).isEqualTo(2);
  }

  @Test
  void replayStartsAtATimeOrASequenceAndFilters() throws Exception {
    session.declare(new StreamSpec("h", List.of("ns.broadcast.>"), StreamSpec.Retention.LIMITS,
        Duration.ZERO, -1, Duration.ofMinutes(2), 1));
    publish("ns.broadcast.task_complete", "1");
    time.advance(Duration.ofSeconds(1));
    publish("ns.broadcast.status_update", "2");
    java.time.Instant t2 = time.now();
    time.advance(Duration.ofSeconds(1));
    publish("ns.broadcast.task_complete", "3");
    List<Long> since = new ArrayList<>();
    session.replay(new ReplaySpec("h", "ns.broadcast.>", t2, 1), m -> since.add(m.sequence()))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(since).containsExactly(2L, 3L);
    List<Long> completions = new ArrayList<>();
    session.replay(new ReplaySpec("h", "ns.broadcast.task_complete", null, 2),
        m -> completions.add(m.sequence())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(completions).containsExactly(3L);
  }

  @Test
  void streamsMayNotOverlapAndAWorkQueueHasOneConsumerPerSubject() {
    session.declare(workQueue("q", "ns.queue.q"));
    assertThatThrownBy(() -> session.declare(workQueue("other", "ns.queue.*")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("overlaps");
    session.consume(consumer("q", "ns.queue.q"), m -> { }).unsubscribe();
    assertThatThrownBy(() -> session.consume(
        new ConsumerSpec("q", "intruder", "ns.queue.q", ACK_WAIT, 10), m -> { }))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'workers'");
    assertThatThrownBy(() -> session.declare(new StreamSpec("q", List.of("ns.queue.q"),
        StreamSpec.Retention.LIMITS, Duration.ZERO, -1, Duration.ofMinutes(1), 1)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("retention");
  }

  @Test
  void noMoreThanMaxAckPendingAreOutAtOnce() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    for (int i = 0; i < 5; i++) {
      publish("ns.queue.q", "i" + i);
    }
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    session.consume(new ConsumerSpec("q", "workers", "ns.queue.q", ACK_WAIT, 2), got::add);
    take(got);
    take(got);
    assertThat(got.poll(100, TimeUnit.MILLISECONDS)).isNull();
    assertThat(store.consumerState("q", "workers").unsettled()).isEqualTo(2);
  }

  @Test
  void aClosedSessionRefusesWorkAndItsDeliveriesCannotBeSettled() throws Exception {
    session.declare(workQueue("q", "ns.queue.q"));
    BlockingQueue<StoredMessage> got = new LinkedBlockingQueue<>();
    stuckWorker("q", "ns.queue.q", got);
    publish("ns.queue.q", "a");
    StoredMessage m = take(got);
    session.close();
    assertThatThrownBy(m::ack).isInstanceOf(TransportException.class);
    assertThatThrownBy(() -> session.declare(workQueue("r", "ns.queue.r")))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed");
    // another transport takes over once the ack wait is over
    StreamSession other = store.session(store::capture);
    BlockingQueue<StoredMessage> next = new LinkedBlockingQueue<>();
    other.consume(consumer("q", "ns.queue.q"), next::add);
    time.advance(ACK_WAIT);
    assertThat(take(next).deliveryCount()).isEqualTo(2);
    other.close();
  }
}
