package io.agentbus.agent.retry;

import io.agentbus.agent.internal.PolicyChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * When and how often a request is tried again: up to {@link #maxAttempts()} attempts, waiting
 * {@link #initialBackoff()} before the second and {@link #multiplier()} times longer before each
 * further one (at most {@link #maxBackoff()}), all within {@link #overallDeadline()}. No responders
 * and timeouts are retried; a responder's error ({@link io.agentbus.RemoteHandlerException}) only
 * with {@link #retryOnRemoteError()}.
 *
 * <p>Immutable; build with {@link #builder()}, which checks every value once.
 */
public final class RetryPolicy {
  /** 3 attempts, 200 ms then 400 ms apart, within 15 s; a responder's error is not retried. */
  public static final RetryPolicy DEFAULTS = builder().build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final Duration overallDeadline;
  private final boolean retryOnRemoteError;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.overallDeadline = b.overallDeadline;
    this.retryOnRemoteError = b.retryOnRemoteError;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** One attempt, no retry (a fallback still applies). */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  /** Attempts in all, the first included; default 3. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the second attempt; default 200 ms. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The longest wait between attempts; default 5 s. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How much each further wait grows; default 2. */
  public double multiplier() {
    return multiplier;
  }

  /**
   * All attempts and waits end within this from the first attempt; an attempt's timeout is cut to
   * what is left. Default 15 s.
   */
  public Duration overallDeadline() {
    return overallDeadline;
  }

  /** Whether a responder's error reply is retried too; default false. */
  public boolean retryOnRemoteError() {
    return retryOnRemoteError;
  }

  /** The wait after attempt {@code attempt} (1 for the first) failed. */
  public Duration backoff(int attempt) {
    return PolicyChecks.exponentialBackoff(initialBackoff, multiplier, attempt - 1, maxBackoff);
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    return o instanceof RetryPolicy p && maxAttempts == p.maxAttempts
        && initialBackoff.equals(p.initialBackoff) && maxBackoff.equals(p.maxBackoff)
        && multiplier == p.multiplier && overallDeadline.equals(p.overallDeadline)
        && retryOnRemoteError == p.retryOnRemoteError;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxAttempts, initialBackoff, maxBackoff, multiplier, overallDeadline,
        retryOnRemoteError);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff " + initialBackoff + " x"
        + multiplier + " up to " + maxBackoff + ", within " + overallDeadline
        + (retryOnRemoteError ? ", remote errors too" : "") + "}";
  }

  /** Builds a {@link RetryPolicy}; not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private double multiplier = 2.0;
    private Duration overallDeadline = Duration.ofSeconds(15);
    private boolean retryOnRemoteError;

    private Builder() {}

    /** @see RetryPolicy#maxAttempts() */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("RetryPolicy: maxAttempts must be at least 1, was "
            + n);
      }
      this.maxAttempts = n;
      return this;
    }

    /** @see RetryPolicy#initialBackoff() */
    public Builder initialBackoff(Duration d) {
      this.initialBackoff = PolicyChecks.positive("RetryPolicy", "initialBackoff", d);
      return this;
    }

    /** @see RetryPolicy#maxBackoff() */
    public Builder maxBackoff(Duration d) {
      this.maxBackoff = PolicyChecks.positive("RetryPolicy", "maxBackoff", d);
      return this;
    }

    /** @see RetryPolicy#multiplier() */
    public Builder multiplier(double m) {
      this.multiplier = PolicyChecks.multiplier("RetryPolicy", m);
      return this;
    }

    /** @see RetryPolicy#overallDeadline() */
    public Builder overallDeadline(Duration d) {
      this.overallDeadline = PolicyChecks.positive("RetryPolicy", "overallDeadline", d);
      return this;
    }

    /** @see RetryPolicy#retryOnRemoteError() */
    public Builder retryOnRemoteError(boolean retry) {
      this.retryOnRemoteError = retry;
      return this;
    }

    /**
     * The policy.
     *
     * @throws IllegalArgumentException if the initial backoff exceeds the maximum
     */
    public RetryPolicy build() {
      PolicyChecks.backoffOrder("RetryPolicy", initialBackoff, maxBackoff);
      return new RetryPolicy(this);
    }

  }
}
