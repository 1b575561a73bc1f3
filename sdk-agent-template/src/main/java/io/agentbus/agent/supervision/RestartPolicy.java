package io.agentbus.agent.supervision;

import io.agentbus.ConfigurationException;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.config.ConfigKey;
import io.agentbus.agent.internal.PolicyChecks;
import io.agentbus.config.ConfigValues;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Supervisor} restarts a failed agent: after {@link #initialBackoff()}, doubling
 * ({@link #multiplier()}) with each further restart within the {@link #window()} up to {@link
 * #maxBackoff()}; at most {@link #maxRestarts()} restarts within any {@link #window()}, after
 * which the agent stays failed.
 *
 * <p>Immutable; build with {@link #builder()}, which checks every value once.
 */
public final class RestartPolicy {
  /** 3 restarts within 60 s, backoff 1 s doubling up to 30 s. */
  public static final RestartPolicy DEFAULTS = builder().build();

  private final int maxRestarts;
  private final Duration window;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;

  private RestartPolicy(Builder b) {
    this.maxRestarts = b.maxRestarts;
    this.window = b.window;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A policy that never restarts: the first failure is final (and announced). */
  public static RestartPolicy never() {
    return builder().maxRestarts(0).build();
  }

  /**
   * The defaults of a configuration: {@code agentbus.supervision.max-restarts}, {@code
   * .window}, {@code .initial-backoff}, {@code .max-backoff} (see {@code
   * docs/configuration.md}).
   *
   * @throws ConfigurationException naming the key, value and source of a bad value
   */
  public static RestartPolicy fromConfig(AgentBusConfig config) {
    Builder b = builder();
    try {
      b.maxRestarts(ConfigValues.integerAtLeast(source(config, ConfigKey.SUPERVISION_MAX_RESTARTS),
          value(config, ConfigKey.SUPERVISION_MAX_RESTARTS), 0));
      b.window(ConfigValues.positiveDuration(source(config, ConfigKey.SUPERVISION_WINDOW),
          value(config, ConfigKey.SUPERVISION_WINDOW)));
      b.initialBackoff(ConfigValues.positiveDuration(
          source(config, ConfigKey.SUPERVISION_INITIAL_BACKOFF),
          value(config, ConfigKey.SUPERVISION_INITIAL_BACKOFF)));
      b.maxBackoff(ConfigValues.positiveDuration(
          source(config, ConfigKey.SUPERVISION_MAX_BACKOFF),
          value(config, ConfigKey.SUPERVISION_MAX_BACKOFF)));
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("Invalid supervision settings: " + e.getMessage(), e);
    }
  }

  private static String value(AgentBusConfig config, ConfigKey key) {
    String v = config.get(key.key());
    return v != null ? v : key.defaultValue().orElseThrow();
  }

  private static String source(AgentBusConfig config, ConfigKey key) {
    return key.key() + " (from " + config.sourceOf(key) + ")";
  }

  /** How many restarts are allowed within {@link #window()}; 0 never restarts. Default 3. */
  public int maxRestarts() {
    return maxRestarts;
  }

  /** The sliding window restarts are counted in; default 60 s. */
  public Duration window() {
    return window;
  }

  /** The wait before the first restart; default 1 s. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The longest wait before a restart; default 30 s. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How much each further restart within the window multiplies the wait; default 2. */
  public double multiplier() {
    return multiplier;
  }

  /** The wait before a restart preceded by {@code recentRestarts} restarts within the window. */
  public Duration backoff(int recentRestarts) {
    return PolicyChecks.exponentialBackoff(initialBackoff, multiplier, recentRestarts,
        maxBackoff);
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    return o instanceof RestartPolicy p && maxRestarts == p.maxRestarts && window.equals(p.window)
        && initialBackoff.equals(p.initialBackoff) && maxBackoff.equals(p.maxBackoff)
        && multiplier == p.multiplier;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxRestarts, window, initialBackoff, maxBackoff, multiplier);
  }

  @Override
  public String toString() {
    return "RestartPolicy{maxRestarts=" + maxRestarts + " within " + window + ", backoff "
        + initialBackoff + " x" + multiplier + " up to " + maxBackoff + "}";
  }

  /** Builds a {@link RestartPolicy}; not thread-safe. */
  public static final class Builder {
    private int maxRestarts = 3;
    private Duration window = Duration.ofSeconds(60);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private double multiplier = 2.0;

    private Builder() {}

    /** @see RestartPolicy#maxRestarts() */
    public Builder maxRestarts(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("RestartPolicy: maxRestarts must be 0 or more, was "
            + n);
      }
      this.maxRestarts = n;
      return this;
    }

    /** @see RestartPolicy#window() */
    public Builder window(Duration window) {
      this.window = PolicyChecks.positive("RestartPolicy", "window", window);
      return this;
    }

    /** @see RestartPolicy#initialBackoff() */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = PolicyChecks.positive("RestartPolicy", "initialBackoff", backoff);
      return this;
    }

    /** @see RestartPolicy#maxBackoff() */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = PolicyChecks.positive("RestartPolicy", "maxBackoff", backoff);
      return this;
    }

    /** @see RestartPolicy#multiplier() */
    public Builder multiplier(double multiplier) {
      this.multiplier = PolicyChecks.multiplier("RestartPolicy", multiplier);
      return this;
    }

    /**
     * The policy.
     *
     * @throws IllegalArgumentException if the initial backoff exceeds the maximum
     */
    public RestartPolicy build() {
      PolicyChecks.backoffOrder("RestartPolicy", initialBackoff, maxBackoff);
      return new RestartPolicy(this);
    }

  }
}
