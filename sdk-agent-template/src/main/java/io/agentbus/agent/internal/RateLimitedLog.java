package io.agentbus.agent.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A line logged at most once per period (wall clock: it paces logs, not behaviour), so that a
 * flood of bad input, or of agents reporting the same event, cannot turn into a flood of log
 * lines. The message should carry the running count itself. Thread-safe.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long periodNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

  public RateLimitedLog(Logger log, Duration period) {
    this.log = log;
    this.periodNanos = period.toNanos();
  }

  /**
   * Whether a line may be logged now, at most once per period; true claims the period, so the
   * caller logs the line.
   */
  public boolean due() {
    long now = System.nanoTime();
    long due = next.get();
    return (due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + periodNanos);
  }

  /** Logs at warn unless it did less than a period ago. */
  public void warn(String format, Object... args) {
    if (due()) {
      log.warn(format, args);
    }
  }
}
