package io.agentbus.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Counts messages a subscriber received, so that a throughput benchmark measures what arrived end
 * to end rather than what was handed to the publisher. The publishing thread announces a batch
 * with {@link #expect(long)}, publishes it, then {@link #awaitExpected(Duration)} parks until the
 * subscribers have counted every message of it. A message that never arrives fails the benchmark
 * (it is not silently left out of the figure); so does one that arrives twice.
 *
 * <p>Thread-safe: {@link #onMessage()} may be called from any number of subscriber threads; one
 * thread at a time publishes and waits.
 */
final class ReceiveCounter {
  /**
   * One count per subscriber thread, written by that thread alone. A shared {@code AtomicLong}
   * cost a queue group's three workers 14 % of their time passing its cache line around, which
   * is the harness measuring itself.
   */
  private final List<Cell> cells = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Cell> cell = ThreadLocal.withInitial(() -> {
    Cell c = new Cell();
    cells.add(c);
    return c;
  });
  /** Set by the waiting thread once it has published its batch: subscribers then sum the cells. */
  private volatile boolean waiting;
  private volatile long target = Long.MAX_VALUE;
  private volatile @Nullable Thread waiter;
  private long expected;

  /** Called by a subscriber for each message it got. */
  void onMessage() {
    Cell c = cell.get();
    c.count = c.count + 1; // a volatile write by its only writer, read by sum()
    // Dekker with awaitExpected: each side writes its volatile, then reads the other's, so at
    // least one of them sees that the batch is complete
    if (waiting && sum() >= target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  private long sum() {
    long n = 0;
    for (Cell c : cells) {
      n += c.count;
    }
    return n;
  }

  /** Announces that {@code count} more messages are about to be published. */
  void expect(long count) {
    expected += count;
    waiter = Thread.currentThread();
    target = expected;
  }

  /**
   * Waits until every announced message was received.
   *
   * @throws IllegalStateException if some did not arrive within {@code timeout}, or more arrived
   *     than were published
   */
  void awaitExpected(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long got;
    waiting = true;
    try {
      while ((got = sum()) < expected) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("Lost messages: published " + expected
              + ", received " + got + " after waiting " + timeout.toMillis() + " ms");
        }
        // the last message unparks us; the bound is a guard, not the way this wait ends
        LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
      }
    } finally {
      waiting = false;
    }
    if (got > expected) {
      throw new IllegalStateException("Duplicate messages: published " + expected
          + ", received " + got);
    }
  }

  /** Messages announced so far. */
  long expected() {
    return expected;
  }

  /** Messages received so far. */
  long received() {
    return sum();
  }

  /**
   * Checks at the end of a trial that exactly the announced messages arrived.
   *
   * @throws IllegalStateException naming both counts when they differ
   */
  void verifyComplete(String what) {
    long got = sum();
    if (got != expected) {
      throw new IllegalStateException(what + ": published " + expected + " messages but "
          + got + " were received");
    }
  }

  /** A count padded to a cache line of its own on either side. */
  @SuppressWarnings("unused")
  private static final class Cell {
    long p01, p02, p03, p04, p05, p06, p07;
    volatile long count;
    long p11, p12, p13, p14, p15, p16, p17;
  }
}
