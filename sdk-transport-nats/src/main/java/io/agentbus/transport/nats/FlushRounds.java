package io.agentbus.transport.nats;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Flushes shared by every caller that asks while one is under way (group commit): a caller joins
 * the next round, which begins once the round in flight ends, and one of its callers sends the
 * single PING for all. Every caller's writes (subscriptions, publishes) were queued before it
 * joined, so before the round's PING: when the PONG arrives the server has seen them all, and
 * any refusal it sent for them. So ten thousand agents starting at once pay a few hundred round
 * trips, not one per subscription, and at most one PING of ours is ever outstanding (jnats drops
 * a connection whose PINGs exceed max-pings-out). Thread-safe.
 */
final class FlushRounds {
  /** The blocking flush one round runs. */
  interface Flush {
    void flush(Duration timeout) throws TimeoutException, InterruptedException;
  }

  private static final class Round {
    boolean begun;
    boolean done;
    @Nullable Throwable error;
  }

  private final Flush flush;
  private final Object lock = new Object();
  private @Nullable Round waiting; // guarded by lock: joined by callers, not yet begun
  private boolean inFlight; // guarded by lock

  FlushRounds(Flush flush) {
    this.flush = flush;
  }

  /**
   * Returns once a PING sent after this call began was answered, within {@code timeout}.
   *
   * @throws TimeoutException when that did not happen in time
   * @throws IllegalStateException when the connection is closed (from jnats)
   */
  void flush(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Round mine;
      boolean lead = false;
      synchronized (lock) {
        if (waiting == null) {
          waiting = new Round();
        }
        mine = waiting;
        while (!mine.begun) {
          if (!inFlight) {
            inFlight = true;
            mine.begun = true;
            waiting = null;
            lead = true;
          } else {
            waitUntil(deadline);
          }
        }
        while (!lead && !mine.done) {
          waitUntil(deadline);
        }
      }
      Throwable error = lead ? lead(mine, deadline) : mine.error;
      if (error == null) {
        return;
      }
      if (!lead && (error instanceof TimeoutException || error instanceof InterruptedException)) {
        // the round's leader had less time than this caller, or was interrupted: not this
        // caller's failure; another round, while its own time lasts
        if (System.nanoTime() < deadline) {
          continue;
        }
        throw new TimeoutException("the shared flush did not complete in time");
      }
      rethrow(error);
    }
  }

  private @Nullable Throwable lead(Round round, long deadline) {
    Throwable error = null;
    try {
      flush.flush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    } catch (TimeoutException | InterruptedException | RuntimeException e) {
      error = e;
    } finally {
      synchronized (lock) {
        round.error = error;
        round.done = true;
        inFlight = false;
        lock.notifyAll();
      }
    }
    return error;
  }

  private void waitUntil(long deadline) throws TimeoutException, InterruptedException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new TimeoutException("waiting for a flush shared with other callers");
    }
    TimeUnit.NANOSECONDS.timedWait(lock, left);
  }

  private static void rethrow(Throwable error) throws TimeoutException, InterruptedException {
    if (error instanceof TimeoutException e) {
      throw e;
    }
    if (error instanceof InterruptedException e) {
      throw e;
    }
    throw (RuntimeException) error;
  }
}
