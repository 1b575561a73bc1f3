package io.agentbus;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * When a {@linkplain MessageBus#gather scatter-gather} stops gathering: after {@link
 * #maxReplies()} replies, once every {@linkplain #expected() expected} agent answered, after a
 * {@link #quietPeriod()} without a reply, or at the {@link #deadline()}, whichever comes first.
 *
 * <p>Immutable; build with {@link #builder(Duration)}, which checks every value once.
 */
public final class GatherOptions {
  private final Duration deadline;
  private final int maxReplies;
  private final @Nullable Duration quietPeriod;
  private final Set<String> expected;
  private final @Nullable Consumer<GatherResult> onProgress;

  private GatherOptions(Builder b) {
    this.onProgress = b.onProgress;
    this.deadline = b.deadline;
    this.maxReplies = b.maxReplies;
    this.quietPeriod = b.quietPeriod;
    this.expected = Set.copyOf(b.expected);
  }

  /** Options that gather until {@code deadline} at the latest. */
  public static Builder builder(Duration deadline) {
    return new Builder(deadline);
  }

  /**
   * A builder with these options, to change some of them: for example to {@linkplain
   * Builder#expect expect} the agents a directory lists.
   */
  public Builder toBuilder() {
    Builder b = new Builder(deadline).maxReplies(maxReplies).expect(expected);
    if (quietPeriod != null) {
      b.quietPeriod(quietPeriod);
    }
    if (onProgress != null) {
      b.onProgress(onProgress);
    }
    return b;
  }

  /** Gathering ends this long after the request went out, at the latest. */
  public Duration deadline() {
    return deadline;
  }

  /** Gathering ends once this many replies arrived; 0 for no such limit (the default). */
  public int maxReplies() {
    return maxReplies;
  }

  /**
   * Gathering ends once this long passed without a reply (counted from the request, then from
   * each reply); null for none (the default).
   */
  public @Nullable Duration quietPeriod() {
    return quietPeriod;
  }

  /**
   * The agents expected to answer: gathering ends once each did, and the result names those that
   * did not ({@link GatherResult#missing()}). Empty by default.
   */
  public Set<String> expected() {
    return expected;
  }

  /**
   * Told after each reply or failure while gathering, with what was gathered so far ({@link
   * GatherResult.Ending#IN_PROGRESS}); null for no one (the default). Runs on a delivery thread:
   * keep it quick.
   */
  public @Nullable Consumer<GatherResult> onProgress() {
    return onProgress;
  }

  @Override
  public String toString() {
    return "GatherOptions{deadline=" + deadline + ", maxReplies=" + maxReplies + ", quietPeriod="
        + quietPeriod + ", expected=" + expected + "}";
  }

  /** Builds {@link GatherOptions}; not thread-safe. */
  public static final class Builder {
    private final Duration deadline;
    private int maxReplies;
    private @Nullable Duration quietPeriod;
    private final Set<String> expected = new LinkedHashSet<>();
    private @Nullable Consumer<GatherResult> onProgress;

    private Builder(Duration deadline) {
      this.deadline = positive("deadline", deadline);
    }

    /** @see GatherOptions#maxReplies() */
    public Builder maxReplies(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("GatherOptions: maxReplies must be 0 (no limit) or "
            + "more, was " + n);
      }
      this.maxReplies = n;
      return this;
    }

    /** @see GatherOptions#quietPeriod() */
    public Builder quietPeriod(Duration quiet) {
      this.quietPeriod = positive("quietPeriod", quiet);
      return this;
    }

    /**
     * @see GatherOptions#expected()
     * @throws InvalidSubjectException if an id is not a subject token
     */
    public Builder expect(Set<String> agentIds) {
      for (String id : agentIds) {
        expected.add(Subjects.requireToken("expected agent id", id));
      }
      return this;
    }

    /** @see GatherOptions#onProgress() */
    public Builder onProgress(Consumer<GatherResult> listener) {
      this.onProgress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The options. */
    public GatherOptions build() {
      return new GatherOptions(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("GatherOptions: " + name + " must be positive, was "
            + d);
      }
      return d;
    }
  }
}
