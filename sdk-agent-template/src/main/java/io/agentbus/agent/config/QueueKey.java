package io.agentbus.agent.config;

import io.agentbus.QueueOptions;
import io.agentbus.config.ConfigValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The options of a work queue that configuration sets, one per {@link QueueOptions} setting: for
 * queue {@code <name>} as {@code agentbus.queue.<name>.<option>}, and for every queue not named
 * so as {@code agentbus.queues.default.<option>}. A queue's own key wins over the default's.
 * These keys have no environment variable: set them in {@code agentbus.properties}, the file
 * named by {@code AGENTBUS_CONFIG_FILE}, or as system properties.
 *
 * <pre>
 * agentbus.queue.test_execution.durable=true
 * agentbus.queue.test_execution.max-deliveries=3
 * agentbus.queue.test_execution.backoff=1s,5s,30s
 * </pre>
 *
 * Every option but {@link #DURABLE} applies to durable queues only; setting one for a queue that
 * is not durable is an error.
 */
public enum QueueKey {
  DURABLE("durable", "false",
      "true: the queue keeps its items in a stream and delivers each at least once, retrying and "
          + "dead-lettering; false: at most once, to a connected worker (the seed's behaviour)."),
  MAX_DELIVERIES("max-deliveries", "5",
      "Deliveries an item gets before it goes to the dead-letter subject; at least 1."),
  BACKOFF("backoff", "1s,5s,30s",
      "Delays before the 1st, 2nd, ... redelivery of an item whose handler threw, "
          + "comma-separated; the last repeats."),
  ACK_WAIT("ack-wait", "30s",
      "How long a delivered item may stay unacknowledged (its worker died) before it is "
          + "delivered again."),
  DUPLICATE_WINDOW("duplicate-window", "2m",
      "How long the stream remembers a message id to store a retried publish once."),
  PROCESSED_WINDOW("processed-window", "10m",
      "How long a worker remembers an item it handled, to acknowledge a redelivered copy "
          + "without handling it again."),
  PROCESSED_CAPACITY("processed-capacity", "100000",
      "How many handled item ids a worker process remembers at most for the queue."),
  REPLICAS("replicas", "1", "How many servers keep a copy of each item (NATS allows 1 to 5)."),
  PUBLISH_TIMEOUT("publish-timeout", "10s",
      "How long a durable publish keeps trying, through reconnects, before it fails."),
  MAX_ACK_PENDING("max-ack-pending", "1000",
      "How many items may be delivered and unacknowledged at once, over all workers."),
  STREAM_NAME("stream-name", null,
      "The stream's name (letters, digits, - and _); by default <namespace>_queue_<name>. "
          + "Per queue only.");

  /** {@code agentbus.queue.}: followed by a queue name, a dot and an option. */
  public static final String QUEUE_PREFIX = "agentbus.queue.";
  /** {@code agentbus.queues.default.}: followed by an option. */
  public static final String DEFAULT_PREFIX = "agentbus.queues.default.";

  private final String option;
  private final @Nullable String defaultValue;
  private final String description;

  QueueKey(String option, @Nullable String defaultValue, String description) {
    this.option = option;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The last part of the key, e.g. {@code max-deliveries}. */
  public String option() {
    return option;
  }

  /** {@code agentbus.queue.<queueName>.<option>}. */
  public String keyFor(String queueName) {
    return QUEUE_PREFIX + queueName + "." + option;
  }

  /** {@code agentbus.queues.default.<option>}. */
  public String defaultKey() {
    return DEFAULT_PREFIX + option;
  }

  /** What {@link QueueOptions#durable()} uses when the option is not set; empty if nothing. */
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }

  /** Whether {@code agentbus.queues.default.<option>} exists ({@link #STREAM_NAME} does not). */
  public boolean hasDefaultKey() {
    return this != STREAM_NAME;
  }

  /** The option named {@code option}, e.g. {@code max-deliveries}. */
  public static Optional<QueueKey> forOption(String option) {
    for (QueueKey k : values()) {
      if (k.option.equals(option)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /**
   * Sets this option, read from {@code raw}, on {@code builder}.
   *
   * @param source the setting and its origin, for errors
   * @throws io.agentbus.ConfigurationException if {@code raw} is not valid for the option
   * @throws IllegalArgumentException if the builder rejects the parsed value
   */
  void apply(QueueOptions.Builder builder, String source, String raw) {
    switch (this) {
      case MAX_DELIVERIES -> builder.maxDeliveries(ConfigValues.integerAtLeast(source, raw, 1));
      case BACKOFF -> builder.backoff(durations(source, raw));
      case ACK_WAIT -> builder.ackWait(ConfigValues.positiveDuration(source, raw));
      case DUPLICATE_WINDOW -> builder.duplicateWindow(ConfigValues.positiveDuration(source, raw));
      case PROCESSED_WINDOW -> builder.processedWindow(ConfigValues.positiveDuration(source, raw));
      case PROCESSED_CAPACITY ->
          builder.processedCapacity(ConfigValues.integerAtLeast(source, raw, 1));
      case REPLICAS -> builder.replicas(ConfigValues.integerAtLeast(source, raw, 1));
      case PUBLISH_TIMEOUT -> builder.publishTimeout(ConfigValues.positiveDuration(source, raw));
      case MAX_ACK_PENDING -> builder.maxAckPending(ConfigValues.integerAtLeast(source, raw, 1));
      case STREAM_NAME -> builder.streamName(raw.trim());
      case DURABLE -> throw new IllegalStateException("durable is not a builder setting");
    }
  }

  private static List<Duration> durations(String source, String raw) {
    List<Duration> out = new ArrayList<>();
    for (String part : ConfigValues.list(raw)) {
      out.add(ConfigValues.duration(source, part));
    }
    return out;
  }
}
