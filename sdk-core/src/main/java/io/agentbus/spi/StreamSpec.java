package io.agentbus.spi;

import io.agentbus.ConfigurationException;

import io.agentbus.Subjects;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a persistent stream keeps (see {@link DurableStreams#declare}).
 *
 * @param name the stream's name: letters, digits, {@code -} and {@code _}
 * @param subjects the subjects (patterns allowed) it captures; not empty
 * @param retention when a message is removed
 * @param maxAge how long a message is kept at most; {@link Duration#ZERO} for no limit
 * @param maxMessages how many messages are kept at most (the oldest go first); {@code -1} for no
 *     limit
 * @param duplicateWindow how long a message id is remembered for de-duplication; positive
 * @param replicas how many servers keep a copy (at least 1; a transport may cap it, NATS JetStream at 5; in memory only 1 copy exists, any value
 *     is accepted)
 */
public record StreamSpec(
    String name,
    List<String> subjects,
    Retention retention,
    Duration maxAge,
    long maxMessages,
    Duration duplicateWindow,
    int replicas) {

  /** When a stream removes a message. */
  public enum Retention {
    /** Removed when a consumer acknowledges it (or by the limits); for work queues. */
    WORK_QUEUE,
    /** Removed only by the limits ({@code maxAge}, {@code maxMessages}); for history. */
    LIMITS
  }

  /**
   * @throws ConfigurationException naming the bad value
   * @throws io.agentbus.InvalidSubjectException if a subject is not a valid pattern
   */
  public StreamSpec {
    requireStreamName("stream name", name);
    subjects = List.copyOf(subjects);
    if (subjects.isEmpty()) {
      throw new ConfigurationException("Stream '" + name + "' must capture at least one subject");
    }
    subjects.forEach(s -> Subjects.requirePattern("subject of stream " + name, s));
    Objects.requireNonNull(retention, "retention");
    if (maxAge.isNegative()) {
      throw new ConfigurationException("maxAge of stream '" + name + "' must not be negative, was "
          + maxAge);
    }
    if (maxMessages < -1 || maxMessages == 0) {
      throw new ConfigurationException("maxMessages of stream '" + name
          + "' must be positive or -1 (no limit), was " + maxMessages);
    }
    if (duplicateWindow.isNegative() || duplicateWindow.isZero()) {
      throw new ConfigurationException("duplicateWindow of stream '" + name
          + "' must be positive, was " + duplicateWindow);
    }
    if (replicas < 1) {
      throw new ConfigurationException("replicas of stream '" + name
          + "' must be at least 1, was " + replicas);
    }
  }

  /**
   * Checks a stream or consumer name: non-empty; letters, digits, {@code -} and {@code _} only
   * (what NATS accepts everywhere, including in file names).
   *
   * @return the name
   * @throws ConfigurationException naming the bad character
   */
  public static String requireStreamName(String what, String name) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty()) {
      throw new ConfigurationException(what + " must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok) {
        throw new ConfigurationException("Invalid " + what + " '" + name + "': character '" + c
            + "' at index " + i + " (use letters, digits, '-' and '_')");
      }
    }
    return name;
  }
}
