package io.agentbus;

import io.agentbus.spi.StreamSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a work queue delivers: {@linkplain #atMostOnce() at most once} over core NATS (the default,
 * as the seed does it), or {@linkplain #durable() durably} from a persistent stream. Given per
 * queue to {@link MessageBus.Builder#queue(String, QueueOptions)}; {@link
 * MessageBus#createWorkQueue} and {@link MessageBus#publishToQueue} keep their signatures, so
 * durability is a configuration choice.
 *
 * <p><b>Durable queues</b> need a transport with {@linkplain
 * io.agentbus.spi.Transport#durableStreams() durable streams} (NATS with JetStream; the in-memory
 * transport). Then:
 *
 * <ul>
 *   <li>A publish returns once the stream has stored the item, and carries a message id ({@link
 *       Headers#MESSAGE_ID}); a publish retried with the same id within the {@linkplain
 *       #duplicateWindow() duplicate window} is stored once.
 *   <li>A worker acknowledges an item when its handler returns, and waits for the store to confirm.
 *       A handler that throws gets the item again after the {@linkplain #backoff() backoff}; after
 *       {@linkplain #maxDeliveries() max deliveries} the item goes to the dead-letter subject with
 *       its error ({@link Headers#ERROR}) and delivery count ({@link Headers#DELIVERY_COUNT}), and
 *       is only removed from the queue once the dead letter is stored. An item whose worker died
 *       is delivered again after the {@linkplain #ackWait() ack wait}.
 *   <li>A worker remembers the ids of the items it handled for the {@linkplain #processedWindow()
 *       processed window}: a redelivered copy of one of them (its acknowledgement was lost, say
 *       to a server crash) is acknowledged without calling the handler again. See {@link
 *       MessageBus#createWorkQueue} for exactly what that guarantees.
 * </ul>
 *
 * <p>Every process serving or feeding a queue must configure it the same way: the stream captures
 * every publish to the queue's subject (so a plain publish by a seed Python agent is stored too),
 * but an at-most-once worker elsewhere would also receive the plain copies.
 *
 * <p>Immutable and thread-safe.
 */
public final class QueueOptions {
  private static final QueueOptions AT_MOST_ONCE = new QueueOptions(new Builder(), false);

  private final boolean durable;
  private final int maxDeliveries;
  private final List<Duration> backoff;
  private final Duration ackWait;
  private final Duration duplicateWindow;
  private final Duration processedWindow;
  private final int processedCapacity;
  private final int replicas;
  private final Duration publishTimeout;
  private final int maxAckPending;
  private final @Nullable String streamName;

  private QueueOptions(Builder b, boolean durable) {
    this.durable = durable;
    this.maxDeliveries = b.maxDeliveries;
    this.backoff = List.copyOf(b.backoff);
    this.ackWait = b.ackWait;
    this.duplicateWindow = b.duplicateWindow;
    this.processedWindow = b.processedWindow;
    this.processedCapacity = b.processedCapacity;
    this.replicas = b.replicas;
    this.publishTimeout = b.publishTimeout;
    this.maxAckPending = b.maxAckPending;
    this.streamName = b.streamName;
  }

  /**
   * Core NATS semantics, the default: an item reaches one connected worker of the queue group,
   * or nobody if no worker is connected; at most once.
   */
  public static QueueOptions atMostOnce() {
    return AT_MOST_ONCE;
  }

  /** Starts the options of a durable queue; every setting has a default. */
  public static Builder durable() {
    return new Builder();
  }

  public boolean isDurable() {
    return durable;
  }

  /** Deliveries an item gets before it is dead-lettered; default 5. */
  public int maxDeliveries() {
    return maxDeliveries;
  }

  /**
   * Delays before the 1st, 2nd, ... redelivery of an item whose handler threw; the last one
   * repeats. Default 1 s, 5 s, 30 s.
   */
  public List<Duration> backoff() {
    return backoff;
  }

  /**
   * The delay before redelivering an item whose handler threw on delivery {@code deliveryCount}
   * (1 for the first).
   */
  public Duration backoffAfter(int deliveryCount) {
    int i = Math.max(0, Math.min(deliveryCount - 1, backoff.size() - 1));
    return backoff.get(i);
  }

  /**
   * How long a delivered item may go unacknowledged before the store delivers it again; default
   * 30 s. A worker whose handler is still running tells the store so every half ack wait, so a
   * long handler does not cause redeliveries; a dead worker's items come back after this time.
   */
  public Duration ackWait() {
    return ackWait;
  }

  /** How long the store remembers a message id to de-duplicate publishes; default 2 minutes. */
  public Duration duplicateWindow() {
    return duplicateWindow;
  }

  /**
   * How long a worker remembers an item it handled, to acknowledge a redelivered copy without
   * handling it again; default 10 minutes. Bounded also by {@link #processedCapacity()}.
   */
  public Duration processedWindow() {
    return processedWindow;
  }

  /** How many handled item ids a worker process remembers at most per queue; default 100,000. */
  public int processedCapacity() {
    return processedCapacity;
  }

  /**
   * How many servers keep a copy of each item; default 1. NATS allows at most 5 stream replicas,
   * which its transport checks when the stream is declared.
   */
  public int replicas() {
    return replicas;
  }

  /**
   * How long a durable publish keeps trying (through reconnects) before it fails with a retriable
   * {@link TransportException}; default 10 s.
   */
  public Duration publishTimeout() {
    return publishTimeout;
  }

  /** How many items may be delivered and unacknowledged at once, over all workers; default 1000. */
  public int maxAckPending() {
    return maxAckPending;
  }

  /**
   * The stream's name, or null for the default {@code <namespace>_queue_<queueName>} (with every
   * character a stream name cannot hold replaced by {@code _}).
   */
  public @Nullable String streamName() {
    return streamName;
  }

  /** A builder holding these settings (for a durable copy with changes). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxDeliveries = maxDeliveries;
    b.backoff = new ArrayList<>(backoff);
    b.ackWait = ackWait;
    b.duplicateWindow = duplicateWindow;
    b.processedWindow = processedWindow;
    b.processedCapacity = processedCapacity;
    b.replicas = replicas;
    b.publishTimeout = publishTimeout;
    b.maxAckPending = maxAckPending;
    b.streamName = streamName;
    return b;
  }

  @Override
  public String toString() {
    if (!durable) {
      return "QueueOptions{atMostOnce}";
    }
    return "QueueOptions{durable, maxDeliveries=" + maxDeliveries + ", backoff=" + backoff
        + ", ackWait=" + ackWait + ", duplicateWindow=" + duplicateWindow + ", processedWindow="
        + processedWindow + ", processedCapacity=" + processedCapacity + ", replicas=" + replicas
        + ", publishTimeout=" + publishTimeout + ", maxAckPending=" + maxAckPending
        + (streamName == null ? "" : ", streamName=" + streamName) + "}";
  }

  /** Builds durable {@link QueueOptions}; every setter checks its value. Not thread-safe. */
  public static final class Builder {
    private int maxDeliveries = 5;
    private List<Duration> backoff =
        new ArrayList<>(List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    private Duration ackWait = Duration.ofSeconds(30);
    private Duration duplicateWindow = Duration.ofMinutes(2);
    private Duration processedWindow = Duration.ofMinutes(10);
    private int processedCapacity = 100_000;
    private int replicas = 1;
    private Duration publishTimeout = Duration.ofSeconds(10);
    private int maxAckPending = 1000;
    private @Nullable String streamName;

    private Builder() {}

    /** At least 1. */
    public Builder maxDeliveries(int maxDeliveries) {
      if (maxDeliveries < 1) {
        throw new ConfigurationException("maxDeliveries must be at least 1, was "
            + maxDeliveries);
      }
      this.maxDeliveries = maxDeliveries;
      return this;
    }

    /** One or more delays, none negative; the last repeats. */
    public Builder backoff(Duration first, Duration... more) {
      List<Duration> all = new ArrayList<>();
      all.add(first);
      all.addAll(List.of(more));
      return backoff(all);
    }

    /** One or more delays, none negative; the last repeats. */
    public Builder backoff(List<Duration> delays) {
      if (delays.isEmpty()) {
        throw new ConfigurationException("backoff needs at least one delay");
      }
      for (Duration d : delays) {
        Objects.requireNonNull(d, "backoff delay");
        if (d.isNegative()) {
          throw new ConfigurationException("backoff delays must not be negative, got " + d
              + " in " + delays);
        }
      }
      this.backoff = new ArrayList<>(delays);
      return this;
    }

    /** Positive. */
    public Builder ackWait(Duration ackWait) {
      this.ackWait = positive("ackWait", ackWait);
      return this;
    }

    /** Positive. */
    public Builder duplicateWindow(Duration window) {
      this.duplicateWindow = positive("duplicateWindow", window);
      return this;
    }

    /** Positive. */
    public Builder processedWindow(Duration window) {
      this.processedWindow = positive("processedWindow", window);
      return this;
    }

    /** At least 1. */
    public Builder processedCapacity(int capacity) {
      if (capacity < 1) {
        throw new ConfigurationException("processedCapacity must be at least 1, was "
            + capacity);
      }
      this.processedCapacity = capacity;
      return this;
    }

    /** At least 1 (NATS JetStream allows at most 5, checked when the stream is declared). */
    public Builder replicas(int replicas) {
      this.replicas = requireReplicas(replicas);
      return this;
    }

    /** Positive. */
    public Builder publishTimeout(Duration timeout) {
      this.publishTimeout = positive("publishTimeout", timeout);
      return this;
    }

    /** At least 1. */
    public Builder maxAckPending(int maxAckPending) {
      if (maxAckPending < 1) {
        throw new ConfigurationException("maxAckPending must be at least 1, was "
            + maxAckPending);
      }
      this.maxAckPending = maxAckPending;
      return this;
    }

    /** Letters, digits, {@code -} and {@code _}. */
    public Builder streamName(String streamName) {
      this.streamName = StreamSpec.requireStreamName("streamName", streamName);
      return this;
    }

    public QueueOptions build() {
      return new QueueOptions(this, true);
    }

    /** The check {@link HistoryOptions.Builder#replicas} shares. */
    static int requireReplicas(int replicas) {
      if (replicas < 1) {
        throw new ConfigurationException("replicas must be at least 1, was " + replicas);
      }
      return replicas;
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new ConfigurationException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
