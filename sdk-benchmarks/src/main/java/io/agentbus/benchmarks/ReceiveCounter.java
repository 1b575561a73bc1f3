package io.agentbus.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
  private final AtomicLong received = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile @Nullable Thread waiter;
  private long expected;

  /** Called by a subscriber for each message it got. */
  void onMessage() {
    if (received.incrementAndGet() == target) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
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
    while ((got = received.get()) < expected) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("Lost messages: published " + expected + ", received "
            + got + " after waiting " + timeout.toMillis() + " ms");
      }
      // the last message unparks us; the bound only guards against a lost wake-up
      LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
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
    return received.get();
  }

  /**
   * Checks at the end of a trial that exactly the announced messages arrived.
   *
   * @throws IllegalStateException naming both counts when they differ
   */
  void verifyComplete(String what) {
    long got = received.get();
    if (got != expected) {
      throw new IllegalStateException(what + ": published " + expected + " messages but "
          + got + " were received");
    }
  }
}
