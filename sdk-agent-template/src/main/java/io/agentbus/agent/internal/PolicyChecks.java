package io.agentbus.agent.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks and the backoff arithmetic that the policy builders of the template share
 * ({@code RetryPolicy}, {@code RestartPolicy}, {@code TaskOptions}). Each message starts with the
 * policy's name, so a bad value is found where it was set.
 */
public final class PolicyChecks {
  private PolicyChecks() {}

  /**
   * {@code d}, if positive.
   *
   * @throws IllegalArgumentException "{@code <owner>: <name> must be positive, was <d>}"
   */
  public static Duration positive(String owner, String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(owner + ": " + name + " must be positive, was " + d);
    }
    return d;
  }

  /**
   * {@code m}, if a finite backoff multiplier of at least 1.
   *
   * @throws IllegalArgumentException naming {@code owner} and {@code m} otherwise
   */
  public static double multiplier(String owner, double m) {
    if (!(m >= 1.0) || Double.isInfinite(m)) {
      throw new IllegalArgumentException(owner + ": multiplier must be at least 1, was " + m);
    }
    return m;
  }

  /** @throws IllegalArgumentException if {@code initial} exceeds {@code max} */
  public static void backoffOrder(String owner, Duration initial, Duration max) {
    if (initial.compareTo(max) > 0) {
      throw new IllegalArgumentException(owner + ": initialBackoff " + initial
          + " exceeds maxBackoff " + max);
    }
  }

  /** {@code initial} times {@code multiplier} to the power {@code exponent}, at most {@code max}. */
  public static Duration exponentialBackoff(Duration initial, double multiplier, int exponent,
      Duration max) {
    double nanos = initial.toNanos() * Math.pow(multiplier, exponent);
    return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
  }
}
