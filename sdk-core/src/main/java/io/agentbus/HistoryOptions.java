package io.agentbus;

import io.agentbus.spi.StreamSpec;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How long a kind of message is kept for {@linkplain MessageBus#replay replay}: the namespace's
 * broadcasts ({@link MessageBus.Builder#keepBroadcasts}) or its dead letters ({@link
 * MessageBus.Builder#keepDeadLetters}). Kept messages live in a persistent stream of the
 * transport ({@linkplain io.agentbus.spi.Transport#durableStreams() durable streams}).
 *
 * <pre>{@code
 * HistoryOptions.keepFor(Duration.ofDays(1)).maxMessages(100_000).replicas(3).build()
 * }</pre>
 *
 * <p>Built the way {@link QueueOptions} is. Immutable and thread-safe.
 */
public final class HistoryOptions {
  private final Duration maxAge;
  private final long maxMessages;
  private final int replicas;
  private final @Nullable String streamName;

  private HistoryOptions(Builder b) {
    this.maxAge = b.maxAge;
    this.maxMessages = b.maxMessages;
    this.replicas = b.replicas;
    this.streamName = b.streamName;
  }

  /**
   * Starts the options of a history that keeps messages for {@code maxAge}; by default with no
   * limit on their number, on one server.
   *
   * @throws ConfigurationException if {@code maxAge} is not positive
   */
  public static Builder keepFor(Duration maxAge) {
    return new Builder(maxAge);
  }

  /** How long a message is kept. */
  public Duration maxAge() {
    return maxAge;
  }

  /** The most messages kept, or -1 for no limit. */
  public long maxMessages() {
    return maxMessages;
  }

  /** How many servers keep a copy; default 1. */
  public int replicas() {
    return replicas;
  }

  /** The stream's name, or null for the default ({@code <namespace>_broadcasts}, ...). */
  public @Nullable String streamName() {
    return streamName;
  }

  /** A builder holding these settings (for a copy with changes). */
  public Builder toBuilder() {
    Builder b = new Builder(maxAge);
    b.maxMessages = maxMessages;
    b.replicas = replicas;
    b.streamName = streamName;
    return b;
  }

  @Override
  public String toString() {
    return "HistoryOptions{maxAge=" + maxAge + ", maxMessages=" + maxMessages + ", replicas="
        + replicas + (streamName == null ? "" : ", streamName=" + streamName) + "}";
  }

  /** Builds {@link HistoryOptions}; every setter checks its value. Not thread-safe. */
  public static final class Builder {
    private Duration maxAge;
    private long maxMessages = -1;
    private int replicas = 1;
    private @Nullable String streamName;

    private Builder(Duration maxAge) {
      maxAge(maxAge);
    }

    /** Positive. */
    public Builder maxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new ConfigurationException("History must be kept for a positive time, was "
            + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /** Also keeps at most {@code maxMessages} (positive): the oldest go first. */
    public Builder maxMessages(long maxMessages) {
      if (maxMessages < 1) {
        throw new ConfigurationException("maxMessages must be positive, was " + maxMessages);
      }
      this.maxMessages = maxMessages;
      return this;
    }

    /**
     * Keeps a copy on {@code replicas} servers (at least 1; NATS JetStream allows at most 5,
     * checked when the stream is declared).
     */
    public Builder replicas(int replicas) {
      this.replicas = QueueOptions.Builder.requireReplicas(replicas);
      return this;
    }

    /** Names the stream (letters, digits, {@code -}, {@code _}) instead of the default. */
    public Builder streamName(String streamName) {
      this.streamName = StreamSpec.requireStreamName("streamName", streamName);
      return this;
    }

    public HistoryOptions build() {
      return new HistoryOptions(this);
    }
  }
}
