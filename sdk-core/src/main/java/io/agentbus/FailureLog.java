package io.agentbus;

import io.agentbus.spi.TransportMessage;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the messages a bus could not decode or handle without letting a flood of bad input become a
 * flood of log lines: per kind of failure, one line per {@link #PERIOD} (of the bus's scheduler),
 * which says how many more failed since the last line and how many dead letters were held back;
 * handler failures carry their stack trace on that one line only. Every failure is still counted
 * in {@link BusStats}. Thread-safe.
 */
final class FailureLog {
  /** At most one line per kind of failure in this period. */
  static final Duration PERIOD = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(DeliveryPipeline.class);

  private final Scheduler clock;
  private final Kind decode = new Kind();
  private final Kind handler = new Kind();

  FailureLog(Scheduler clock) {
    this.clock = clock;
  }

  /** One kind's pacing and what it left unsaid. Guarded by itself. */
  private static final class Kind {
    @Nullable Instant next;
    long suppressed;
    long heldBack;
  }

  /** A message that could not be decoded; {@code deadLettered} false if it was held back. */
  void decodeFailed(TransportMessage raw, String contentType, CodecException e,
      boolean deadLettered) {
    String more = due(decode, deadLettered);
    if (more != null) {
      log.warn("Could not decode a message on '{}' ({} bytes, {}): {}; {}{}", raw.subject(),
          raw.payload().length, contentType, e.getMessage(),
          deadLettered ? "dead-lettering it" : "not dead-lettered (rate limit)", more);
    }
  }

  /** A handler that threw; {@code deadLettered} false if the dead letter was held back. */
  void handlerFailed(TransportMessage raw, AgentMessage message, Throwable e,
      boolean deadLettered) {
    String more = due(handler, deadLettered);
    if (more != null) {
      log.error("Handler for '{}' failed on a {} from {} (correlation_id={}); {}{}",
          raw.subject(), message.messageType(), message.fromAgent(), message.correlationId(),
          deadLettered ? "dead-lettering it" : "not dead-lettered (rate limit)", more, e);
    }
  }

  /**
   * Null when this failure is not to be logged (counted instead); otherwise what to append about
   * the failures not logged since the last line.
   */
  private @Nullable String due(Kind k, boolean deadLettered) {
    Instant now = clock.now();
    synchronized (k) {
      if (k.next != null && now.isBefore(k.next)) {
        k.suppressed++;
        if (!deadLettered) {
          k.heldBack++;
        }
        return null;
      }
      String more = k.suppressed == 0 ? ""
          : " (and " + k.suppressed + " more like it not logged in the last " + PERIOD.toSeconds()
              + " s, " + k.heldBack + " of them not dead-lettered; every one is counted in "
              + "BusStats; logging at most one line per " + PERIOD.toSeconds() + " s)";
      k.next = now.plus(PERIOD);
      k.suppressed = 0;
      k.heldBack = 0;
      return more;
    }
  }
}
