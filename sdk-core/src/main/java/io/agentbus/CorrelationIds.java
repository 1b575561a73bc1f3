package io.agentbus;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Correlation ids in the seed's form {@code {agent_id}-{epoch_millis}-{sequence}}, for example
 * {@code parser-dev-001-1733409130004-1}. The sequence is shared by the whole JVM, so ids are
 * unique per process even for one agent within one millisecond. Thread-safe.
 */
public final class CorrelationIds {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private CorrelationIds() {}

  /** A new id for {@code agentId} stamped with {@code now}. */
  public static String next(String agentId, Instant now) {
    return agentId + "-" + now.toEpochMilli() + "-" + SEQUENCE.incrementAndGet();
  }
}
