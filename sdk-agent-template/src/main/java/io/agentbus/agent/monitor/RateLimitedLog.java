package io.agentbus.agent.monitor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning logged at most once per period (wall clock: it paces logs, not behaviour), so that a
 * flood of bad input cannot turn into a flood of log lines. The message should carry the running
 * count itself. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long periodNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

  RateLimitedLog(Logger log, Duration period) {
    this.log = log;
    this.periodNanos = period.toNanos();
  }

  /** Logs at warn unless it did less than a period ago. */
  void warn(String format, Object... args) {
    long now = System.nanoTime();
    long due = next.get();
    if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + periodNanos)) {
      log.warn(format, args);
    }
  }
}
