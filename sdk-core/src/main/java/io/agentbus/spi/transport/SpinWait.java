package io.agentbus.spi.transport;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Busy-waiting for a hand-off between threads, with a limit on how many threads spin at once.
 * Parking a thread and waking it again costs two system calls and a context switch, several
 * microseconds on a virtual machine, more than a whole in-memory exchange; a thread that expects
 * its next message (or its reply) within {@link #MAX_NANOS} spins for it instead. Each waiter keeps
 * its own budget, which {@link #learn} adapts: a waiter whose work comes sporadically soon stops
 * spinning, so idle waiters cost no CPU. Spinning beyond the limit only takes CPU from the threads
 * that would answer, so past it a waiter parks at once. Thread-safe.
 */
public final class SpinWait {
  /** Longest a waiter spins before parking. */
  public static final long MAX_NANOS = 20_000;

  /** How {@link #spinUntil} ended. */
  public enum Outcome {
    /** The condition came true within the budget. */
    DONE,
    /** The budget ran out first. */
    MISSED,
    /** As many threads as the limit allows spin already, or the budget is zero: none spun. */
    NOT_SPUN
  }

  private final int maxSpinners;
  private final AtomicInteger spinners = new AtomicInteger();

  /**
   * A limit of spinning threads, shared by every wait through this instance.
   *
   * @param maxSpinners how many threads may spin at once through this instance; 0 for none
   */
  public SpinWait(int maxSpinners) {
    if (maxSpinners < 0) {
      throw new IllegalArgumentException("maxSpinners must be 0 or more, was " + maxSpinners);
    }
    this.maxSpinners = maxSpinners;
  }

  /**
   * One core fewer than the machine has (none with one core): one core stays for the threads that
   * publish and answer.
   */
  public static int oneCoreLess() {
    return Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
  }

  /**
   * A waiter's next budget when its work arrives at {@code now}: {@link #MAX_NANOS} if that is
   * within that long of {@code idleSince}, when the waiter last gave its thread back (both {@link
   * System#nanoTime}; {@code idleSince} 0 for never), so spinning would have caught it; else half
   * of {@code budget}.
   */
  public static long learn(long budget, long idleSince, long now) {
    return idleSince != 0 && now - idleSince < MAX_NANOS ? MAX_NANOS : budget >> 1;
  }

  /**
   * Spins for up to {@code budgetNanos} until {@code done} is true, unless as many threads as the
   * limit allows spin already. {@code done} is read every few dozen spins, so it should be cheap
   * (a volatile read).
   */
  public Outcome spinUntil(long budgetNanos, BooleanSupplier done) {
    if (budgetNanos <= 0 || !enter()) {
      return Outcome.NOT_SPUN;
    }
    try {
      long start = System.nanoTime();
      do {
        for (int i = 0; i < 32; i++) {
          Thread.onSpinWait();
        }
        if (done.getAsBoolean()) {
          return Outcome.DONE;
        }
      } while (System.nanoTime() - start < budgetNanos);
      return Outcome.MISSED;
    } finally {
      spinners.decrementAndGet();
    }
  }

  private boolean enter() {
    int spinning;
    do {
      spinning = spinners.get();
      if (spinning >= maxSpinners) {
        return false;
      }
    } while (!spinners.compareAndSet(spinning, spinning + 1));
    return true;
  }
}
