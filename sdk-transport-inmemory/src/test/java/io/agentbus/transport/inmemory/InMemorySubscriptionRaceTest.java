package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.agentbus.Headers;
import io.agentbus.spi.TransportMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subscription's accounting when publishers race its drain task, a close or a drain: every
 * message a publisher was told is accepted is either handed to the handler or counted as dropped,
 * exactly once; nothing is taken after a close; no message waits without a task to take it; and
 * each publisher's messages arrive in the order it sent them.
 *
 * <p>The publishers call {@link InMemorySubscription#offer} themselves, so that each knows what it
 * was told for every message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InMemorySubscriptionRaceTest {
  private static final int PUBLISHERS = 2;
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);
  /** Picks the pending limits; printed, and set with -Dagentbus.race.seed=... to repeat a run. */
  private static final long SEED = Long.getLong("agentbus.race.seed", System.nanoTime());

  static {
    System.out.println("InMemorySubscriptionRaceTest: seed " + SEED
        + " (rerun with -Dagentbus.race.seed=" + SEED + ")");
  }

  private final Random random = new Random(SEED);

  private final List<InMemoryTransport> made = new ArrayList<>();

  @AfterEach
  void tearDown() {
    made.forEach(InMemoryTransport::close);
  }

  /** Publishers' outcomes, the handler's view, and the order check. */
  private static final class Tally {
    final AtomicLong offered = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong droppedFull = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong handled = new AtomicLong();
    final AtomicLong handledAfterClose = new AtomicLong();
    final AtomicBoolean closed = new AtomicBoolean();
    final long[] lastSeen = new long[PUBLISHERS];
    final AtomicReference<String> disorder = new AtomicReference<>();

    Tally() {
      Arrays.fill(lastSeen, -1);
    }

    /** The handler: runs on one drain task at a time, so {@code lastSeen} needs no lock. */
    void handle(TransportMessage m) {
      if (closed.get()) {
        handledAfterClose.incrementAndGet();
      }
      ByteBuffer b = ByteBuffer.wrap(m.payload());
      int publisher = b.getInt();
      long seq = b.getLong();
      if (seq <= lastSeen[publisher]) {
        disorder.compareAndSet(null, "publisher " + publisher + ": " + seq + " after "
            + lastSeen[publisher]);
      }
      lastSeen[publisher] = seq;
      handled.incrementAndGet();
      if ((seq & 63) == 0) {
        Thread.yield(); // now and then a slow handler, so that the queue fills up
      }
    }
  }

  private InMemorySubscription subscribe(int pendingLimit, Tally tally) {
    InMemoryTransport t = InMemoryTransport.builder().pendingLimit(pendingLimit).build();
    made.add(t);
    return (InMemorySubscription) t.subscribe("race", null, tally::handle);
  }

  private static TransportMessage message(int publisher, long seq) {
    byte[] payload = ByteBuffer.allocate(12).putInt(publisher).putLong(seq).array();
    return new TransportMessage("race", null, Headers.empty(), payload);
  }

  /**
   * Starts the publishers and returns once each has offered 1,000 messages; each goes on offering
   * until one is rejected and tallies what it was told. The future completes when all have
   * stopped.
   */
  private static CompletableFuture<Void> startPublishing(InMemorySubscription s, Tally tally)
      throws InterruptedException {
    CountDownLatch started = new CountDownLatch(PUBLISHERS);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) {
      int publisher = p;
      done.add(CompletableFuture.runAsync(() -> {
        for (long seq = 0; ; seq++) {
          tally.offered.incrementAndGet();
          switch (s.offer(message(publisher, seq))) {
            case Receiver.ACCEPTED -> tally.accepted.incrementAndGet();
            case Receiver.DROPPED -> tally.droppedFull.incrementAndGet();
            default -> {
              tally.rejected.incrementAndGet();
              return;
            }
          }
          if (seq == 1_000) {
            started.countDown();
          }
        }
      }, r -> new Thread(r, "race-publisher-" + publisher).start()));
    }
    started.await();
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  private static void awaitCondition(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("Timed out waiting for " + what);
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void everyAcceptedMessageIsHandledOrCountedDroppedWhenACloseRacesThePublishers()
      throws Exception {
    for (int round = 0; round < 100; round++) {
      Tally tally = new Tally();
      InMemorySubscription s = subscribe(1 + random.nextInt(64), tally);
      // close while the publishers publish and messages are waiting
      CompletableFuture<Void> publishers = startPublishing(s, tally);
      assertThat(s.closeAndDiscard()).isTrue();
      tally.closed.set(true);
      long deliveredAtClose = s.deliveredMessages();
      publishers.get(20, TimeUnit.SECONDS);

      String at = "round " + round + " (pending limit " + s.pendingLimit() + ", seed " + SEED
          + ")";
      assertThat(s.deliveredMessages()).as(at + ": taken after the close")
          .isEqualTo(deliveredAtClose);
      // the drain task may still be in the handler with the last message it took
      awaitCondition(() -> tally.handled.get() == s.deliveredMessages(),
          at + ": the handler to catch up with what was taken");
      assertThat(tally.handledAfterClose).as(at + ": handlers entered after close returned")
          .hasValueLessThanOrEqualTo(1);
      assertThat(tally.accepted.get() - tally.handled.get())
          .as(at + ": accepted but not handled").isEqualTo(s.droppedMessages()
              - tally.droppedFull.get());
      assertThat(tally.accepted.get() + tally.droppedFull.get() + tally.rejected.get())
          .isEqualTo(tally.offered.get());
      assertThat(tally.disorder.get()).as(at).isNull();
      assertThat(s.pendingMessages()).isZero();
      assertThat(s.isActive()).isFalse();
    }
  }

  @Test
  void aDrainRacingThePublishersHandlesEverythingItAcceptedBeforeItCompletes() throws Exception {
    for (int round = 0; round < 100; round++) {
      Tally tally = new Tally();
      InMemorySubscription s = subscribe(1 + random.nextInt(64), tally);
      CompletableFuture<Void> publishers = startPublishing(s, tally);
      CompletableFuture<Void> drained = s.drain(Duration.ofSeconds(20));
      publishers.get(20, TimeUnit.SECONDS);
      long handledWhenDrained = drained.thenApply(v -> tally.handled.get()).get(20,
          TimeUnit.SECONDS);

      String at = "round " + round + " (pending limit " + s.pendingLimit() + ", seed " + SEED
          + ")";
      assertThat(handledWhenDrained).as(at + ": handled when the drain completed")
          .isEqualTo(tally.accepted.get());
      assertThat(s.deliveredMessages()).as(at).isEqualTo(tally.accepted.get());
      assertThat(s.droppedMessages()).as(at + ": only drops for a full queue")
          .isEqualTo(tally.droppedFull.get());
      assertThat(tally.disorder.get()).as(at).isNull();
      assertThat(s.isActive()).isFalse();
    }
  }

  /**
   * One message at a time, each sent just as the drain task may be giving up the queue after the
   * previous one: a lost wake-up leaves a message waiting with no task, and the wait times out.
   */
  @Test
  void aMessageSentWhileTheDrainTaskGoesIdleIsNeverLeftWaiting() {
    Tally tally = new Tally();
    InMemorySubscription s = subscribe(16, tally);
    int rounds = 20_000;
    for (int i = 0; i < rounds; i++) {
      assertThat(s.offer(message(0, i))).isEqualTo(Receiver.ACCEPTED);
      long expected = i + 1;
      // the next offer races the drain task's return from the handler
      awaitCondition(() -> tally.handled.get() == expected, "message " + i + " to be handled");
    }
    assertThat(s.deliveredMessages()).isEqualTo(rounds);
    assertThat(s.pendingMessages()).isZero();
    assertThat(tally.disorder.get()).isNull();
  }
}
