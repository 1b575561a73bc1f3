package io.agentbus.agent.config;

import io.agentbus.HistoryOptions;
import io.agentbus.config.ConfigValues;
import java.util.Optional;

/**
 * The options of a kept history ({@link HistoryOptions}), for the namespace's broadcasts as
 * {@code agentbus.history.broadcasts.<option>} and for its dead letters as {@code
 * agentbus.history.dead-letters.<option>}. A history is kept when its {@link #MAX_AGE} is set;
 * dead letters are also kept, for 7 days, whenever a queue is durable. These keys have no
 * environment variable.
 */
public enum HistoryKey {
  MAX_AGE("max-age", "How long a message is kept, e.g. 24h or 7d; setting it keeps the history."),
  MAX_MESSAGES("max-messages", "Also keep at most this many messages, the oldest going first; "
      + "no limit when unset."),
  REPLICAS("replicas", "How many servers keep a copy (NATS allows 1 to 5); default 1, or for "
      + "dead letters kept for durable queues, as many as the most replicated queue."),
  STREAM_NAME("stream-name", "The stream's name (letters, digits, - and _); by default "
      + "<namespace>_broadcasts or <namespace>_deadletter.");

  /** {@code agentbus.history.broadcasts.}, followed by an option. */
  public static final String BROADCASTS_PREFIX = "agentbus.history.broadcasts.";
  /** {@code agentbus.history.dead-letters.}, followed by an option. */
  public static final String DEAD_LETTERS_PREFIX = "agentbus.history.dead-letters.";

  private final String option;
  private final String description;

  HistoryKey(String option, String description) {
    this.option = option;
    this.description = description;
  }

  /** The last part of the key, e.g. {@code max-age}. */
  public String option() {
    return option;
  }

  /** {@code agentbus.history.broadcasts.<option>}. */
  public String broadcastsKey() {
    return BROADCASTS_PREFIX + option;
  }

  /** {@code agentbus.history.dead-letters.<option>}. */
  public String deadLettersKey() {
    return DEAD_LETTERS_PREFIX + option;
  }

  public String description() {
    return description;
  }

  /** The option named {@code option}, e.g. {@code max-age}. */
  public static Optional<HistoryKey> forOption(String option) {
    for (HistoryKey k : values()) {
      if (k.option.equals(option)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** None of these options has a default: unset means "not kept", "no limit" or "default". */
  public Optional<String> defaultValue() {
    return Optional.empty();
  }

  /**
   * Sets this option, read from {@code raw}, on {@code builder}; {@link #MAX_AGE} is read by the
   * caller to start the builder.
   *
   * @throws io.agentbus.ConfigurationException if {@code raw} is not valid for the option
   * @throws IllegalArgumentException if the builder rejects the parsed value
   */
  void apply(HistoryOptions.Builder builder, String source, String raw) {
    switch (this) {
      case MAX_AGE -> builder.maxAge(ConfigValues.positiveDuration(source, raw));
      case MAX_MESSAGES -> builder.maxMessages(ConfigValues.integerAtLeast(source, raw, 1));
      case REPLICAS -> builder.replicas(ConfigValues.integerAtLeast(source, raw, 1));
      case STREAM_NAME -> builder.streamName(raw.trim());
    }
  }
}
