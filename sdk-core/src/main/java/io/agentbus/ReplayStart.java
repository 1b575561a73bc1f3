package io.agentbus;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@linkplain MessageBus#replay replay} begins: the oldest kept message, a time, or just
 * after a stream sequence the agent saw last ({@link Delivery#sequence()}). Immutable.
 */
public final class ReplayStart {
  private static final ReplayStart BEGINNING = new ReplayStart(null, 1);

  private final @Nullable Instant since;
  private final long fromSequence;

  private ReplayStart(@Nullable Instant since, long fromSequence) {
    this.since = since;
    this.fromSequence = fromSequence;
  }

  /** Everything still kept. */
  public static ReplayStart beginning() {
    return BEGINNING;
  }

  /** The messages stored at or after {@code time}. */
  public static ReplayStart since(Instant time) {
    return new ReplayStart(Objects.requireNonNull(time, "time"), 1);
  }

  /**
   * The messages stored after stream sequence {@code sequence} (0 or more), to resume where a
   * previous replay or subscription left off.
   */
  public static ReplayStart afterSequence(long sequence) {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
    }
    return new ReplayStart(null, sequence + 1);
  }

  /** The start time, or null when starting by sequence. */
  public @Nullable Instant since() {
    return since;
  }

  /** The first sequence wanted (1 is the beginning); meaningless when {@link #since()} is set. */
  public long fromSequence() {
    return fromSequence;
  }

  @Override
  public String toString() {
    return since != null ? "ReplayStart{since " + since + "}"
        : "ReplayStart{from sequence " + fromSequence + "}";
  }
}
