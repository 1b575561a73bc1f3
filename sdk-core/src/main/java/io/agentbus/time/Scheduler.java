package io.agentbus.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The clock and timer everything time-based in AgentBus runs on: message timestamps, heartbeats,
 * dead-agent detection, in-memory request timeouts. Production uses {@link #system()}; tests
 * inject {@code VirtualScheduler} from {@code sdk-test} and move time by hand.
 *
 * <p>Tasks should be short: they run on the scheduler's thread (a blocking task delays the
 * others). Implementations are thread-safe.
 */
public interface Scheduler {

  /** The current time. */
  Instant now();

  /**
   * {@link #now()} in milliseconds since the epoch: what a message timestamp carries. The system
   * scheduler reads the clock without building an {@code Instant}, which every publish saves.
   */
  default long nowMillis() {
    return now().toEpochMilli();
  }

  /** Runs {@code task} once after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /**
   * Runs {@code task} after {@code initialDelay}, then every {@code period}. A task that throws
   * is logged and keeps its schedule.
   */
  Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task);

  /** The shared wall-clock scheduler: one daemon thread for the whole JVM. */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /** A handle to cancel a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /** Prevents further runs; a run in progress completes. Idempotent. */
    void cancel();
  }
}
