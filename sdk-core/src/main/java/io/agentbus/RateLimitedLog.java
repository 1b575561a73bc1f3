package io.agentbus;

import io.agentbus.time.Scheduler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Warnings about hostile or broken input, logged once per cause and then at most once per
 * interval with the count of what was not logged, so that a flood of bad messages cannot flood
 * the log. Never a stack trace. Thread-safe.
 */
final class RateLimitedLog {
  private final Logger log;
  private final Scheduler clock;
  private final long intervalMillis;
  private final ConcurrentHashMap<String, Cause> causes = new ConcurrentHashMap<>();

  RateLimitedLog(Logger log, Scheduler clock, long intervalMillis) {
    this.log = log;
    this.clock = clock;
    this.intervalMillis = intervalMillis;
  }

  /**
   * Warns {@code message} for {@code cause} (a short key, such as "wrong responder") unless this
   * cause was logged less than the interval ago; then it is only counted, and the next warning
   * says how many were not logged.
   */
  void warn(String cause, String message) {
    Cause c = causes.computeIfAbsent(cause, k -> new Cause());
    long now = clock.nowMillis();
    long last = c.lastLogged.get();
    if (last != Long.MIN_VALUE && now - last < intervalMillis
        || !c.lastLogged.compareAndSet(last, now)) {
      c.suppressed.incrementAndGet();
      return;
    }
    long suppressed = c.suppressed.getAndSet(0);
    if (suppressed == 0) {
      log.warn("{}", message);
    } else {
      log.warn("{} ({} more of this kind since the last such warning were not logged)", message,
          suppressed);
    }
  }

  private static final class Cause {
    final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }
}
