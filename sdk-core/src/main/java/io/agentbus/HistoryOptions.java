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
 * <p>Immutable and thread-safe.
 */
public final class HistoryOptions {
  private final Duration maxAge;
  private final long maxMessages;
  private final int replicas;
  private final @Nullable String streamName;

  private HistoryOptions(Duration maxAge, long maxMessages, int replicas,
      @Nullable String streamName) {
    this.maxAge = maxAge;
    this.maxMessages = maxMessages;
    this.replicas = replicas;
    this.streamName = streamName;
  }

  /**
   * Keeps messages for {@code maxAge} (positive), with no limit on their number, on one server.
   *
   * @throws IllegalArgumentException if {@code maxAge} is not positive
   */
  public static HistoryOptions keepFor(Duration maxAge) {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("History must be kept for a positive time, was "
          + maxAge);
    }
    return new HistoryOptions(maxAge, -1, 1, null);
  }

  /** Also keeps at most {@code maxMessages} (positive): the oldest go first. */
  public HistoryOptions maxMessages(long maxMessages) {
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be positive, was " + maxMessages);
    }
    return new HistoryOptions(maxAge, maxMessages, replicas, streamName);
  }

  /** Keeps a copy on {@code replicas} servers (at least 1; NATS JetStream allows at most 5, checked when the stream is declared). */
  public HistoryOptions replicas(int replicas) {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
    }
    return new HistoryOptions(maxAge, maxMessages, replicas, streamName);
  }

  /** Names the stream (letters, digits, {@code -}, {@code _}) instead of the default. */
  public HistoryOptions streamName(String streamName) {
    return new HistoryOptions(maxAge, maxMessages, replicas,
        StreamSpec.requireStreamName("streamName", streamName));
  }

  public Duration maxAge() {
    return maxAge;
  }

  /** The most messages kept, or -1 for no limit. */
  public long maxMessages() {
    return maxMessages;
  }

  public int replicas() {
    return replicas;
  }

  /** The stream's name, or null for the default ({@code <namespace>_broadcasts}, ...). */
  public @Nullable String streamName() {
    return streamName;
  }

  @Override
  public String toString() {
    return "HistoryOptions{maxAge=" + maxAge + ", maxMessages=" + maxMessages + ", replicas="
        + replicas + (streamName == null ? "" : ", streamName=" + streamName) + "}";
  }
}
