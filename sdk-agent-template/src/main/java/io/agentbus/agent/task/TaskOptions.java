package io.agentbus.agent.task;

import io.agentbus.agent.internal.PolicyChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * How long a requester waits for a task: an initial {@linkplain #timeout() deadline} that each
 * progress report pushes out by {@link #progressExtension()}, never beyond {@link #hardLimit()}
 * after the assignment; how long the assignee may stay silent before it counts as lost; and how
 * long it has to acknowledge the assignment.
 *
 * <p>Immutable; build with {@link #builder()}, which checks every value once.
 */
public final class TaskOptions {
  /** The defaults: 30 s, extended by 30 s per progress report, at most 1 h; silent 90 s = lost. */
  public static final TaskOptions DEFAULTS = builder().build();

  private final Duration timeout;
  private final Duration progressExtension;
  private final Duration hardLimit;
  private final Duration assigneeSilenceLimit;
  private final Duration acceptTimeout;

  private TaskOptions(Builder b) {
    this.timeout = b.timeout;
    this.progressExtension = b.progressExtension;
    this.hardLimit = b.hardLimit;
    this.assigneeSilenceLimit = b.assigneeSilenceLimit;
    this.acceptTimeout = b.acceptTimeout;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder().timeout(timeout).progressExtension(progressExtension)
        .hardLimit(hardLimit).assigneeSilenceLimit(assigneeSilenceLimit)
        .acceptTimeout(acceptTimeout);
  }

  /** The first deadline, from the assignment; default 30 s. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * How far each progress report ({@code working} or {@code input-required}) pushes the deadline:
   * to at least {@code now + progressExtension}; default 30 s.
   */
  public Duration progressExtension() {
    return progressExtension;
  }

  /** The deadline never passes {@code assignment + hardLimit}, however much progress; default 1 h. */
  public Duration hardLimit() {
    return hardLimit;
  }

  /**
   * How long the assignee may send nothing (no heartbeat, no task message) before the task fails
   * as {@link TaskOutcome.Reason#ASSIGNEE_LOST}; default 90 s, the seed's rule for a dead agent
   * (three missed 30 s heartbeats).
   */
  public Duration assigneeSilenceLimit() {
    return assigneeSilenceLimit;
  }

  /** How long the assignee has to acknowledge the assignment; default 5 s. */
  public Duration acceptTimeout() {
    return acceptTimeout;
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    return o instanceof TaskOptions t && timeout.equals(t.timeout)
        && progressExtension.equals(t.progressExtension) && hardLimit.equals(t.hardLimit)
        && assigneeSilenceLimit.equals(t.assigneeSilenceLimit)
        && acceptTimeout.equals(t.acceptTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeout, progressExtension, hardLimit, assigneeSilenceLimit,
        acceptTimeout);
  }

  @Override
  public String toString() {
    return "TaskOptions{timeout=" + timeout + ", progressExtension=" + progressExtension
        + ", hardLimit=" + hardLimit + ", assigneeSilenceLimit=" + assigneeSilenceLimit
        + ", acceptTimeout=" + acceptTimeout + "}";
  }

  /** Builds {@link TaskOptions}; not thread-safe. */
  public static final class Builder {
    private Duration timeout = Duration.ofSeconds(30);
    private Duration progressExtension = Duration.ofSeconds(30);
    private Duration hardLimit = Duration.ofHours(1);
    private Duration assigneeSilenceLimit = Duration.ofSeconds(90);
    private Duration acceptTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /** @see TaskOptions#timeout() */
    public Builder timeout(Duration timeout) {
      this.timeout = PolicyChecks.positive("TaskOptions", "timeout", timeout);
      return this;
    }

    /** @see TaskOptions#progressExtension() */
    public Builder progressExtension(Duration extension) {
      this.progressExtension = PolicyChecks.positive("TaskOptions", "progressExtension", extension);
      return this;
    }

    /** @see TaskOptions#hardLimit() */
    public Builder hardLimit(Duration hardLimit) {
      this.hardLimit = PolicyChecks.positive("TaskOptions", "hardLimit", hardLimit);
      return this;
    }

    /** @see TaskOptions#assigneeSilenceLimit() */
    public Builder assigneeSilenceLimit(Duration limit) {
      this.assigneeSilenceLimit = PolicyChecks.positive("TaskOptions", "assigneeSilenceLimit", limit);
      return this;
    }

    /** @see TaskOptions#acceptTimeout() */
    public Builder acceptTimeout(Duration timeout) {
      this.acceptTimeout = PolicyChecks.positive("TaskOptions", "acceptTimeout", timeout);
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if the timeout exceeds the hard limit
     */
    public TaskOptions build() {
      if (timeout.compareTo(hardLimit) > 0) {
        throw new IllegalArgumentException("TaskOptions: timeout " + timeout
            + " exceeds hardLimit " + hardLimit + "; the hard limit bounds every deadline");
      }
      return new TaskOptions(this);
    }

  }
}
