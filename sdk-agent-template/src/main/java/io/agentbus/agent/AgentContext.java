package io.agentbus.agent;

import io.agentbus.ConfigurationException;
import io.agentbus.MessageBus;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link AbstractAgent} needs from its surroundings: the shared {@link MessageBus}, the
 * {@link Scheduler} its heartbeats run on, and its lifecycle settings. One context is typically
 * shared by every agent of a process (with Guice, {@code AgentBusModule} provides it from {@code
 * AgentBusConfig}); the agent does not own the bus and never closes it.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentContext {
  /** The seed's heartbeat period. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  /** How long stopping waits for in-flight handlers and the work loop, by default. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final MessageBus bus;
  private final Scheduler scheduler;
  private final Duration heartbeatInterval;
  private final Duration drainTimeout;
  private final boolean shutdownHook;
  private final boolean discovery;
  private final DuplicateIdPolicy duplicateIds;

  private AgentContext(Builder b) {
    this.bus = b.bus;
    this.scheduler = b.scheduler != null ? b.scheduler : b.bus.scheduler();
    this.heartbeatInterval = b.heartbeatInterval;
    this.drainTimeout = b.drainTimeout;
    this.shutdownHook = b.shutdownHook;
    this.discovery = b.discovery;
    this.duplicateIds = b.duplicateIds;
  }

  /** A context with the defaults: the bus's scheduler, 30 s heartbeats, 5 s drain, no hook. */
  public static AgentContext of(MessageBus bus) {
    return builder(bus).build();
  }

  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  /** The shared bus; agents send and subscribe through it, and never close it. */
  public MessageBus bus() {
    return bus;
  }

  /** The clock and timer heartbeats run on (by default the bus's). */
  public Scheduler scheduler() {
    return scheduler;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** Bound on how long stopping waits for in-flight handlers, then for the work loop. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** Whether each agent registers a JVM shutdown hook that stops it. */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  /**
   * Whether each agent answers the NATS micro service protocol ({@code $SRV.PING}, {@code
   * $SRV.INFO}, {@code $SRV.STATS}) and checks at start that no live agent has its id; default on.
   */
  public boolean discovery() {
    return discovery;
  }

  /** What an agent does when its id is taken by a live agent; default {@code REFUSE}. */
  public DuplicateIdPolicy duplicateIds() {
    return duplicateIds;
  }

  /** A builder holding this context's settings. */
  public Builder toBuilder() {
    return new Builder(bus)
        .scheduler(scheduler)
        .heartbeatInterval(heartbeatInterval)
        .drainTimeout(drainTimeout)
        .shutdownHook(shutdownHook)
        .discovery(discovery)
        .duplicateIds(duplicateIds);
  }

  @Override
  public String toString() {
    return "AgentContext{bus=" + bus + ", scheduler=" + scheduler + ", heartbeatInterval="
        + heartbeatInterval + ", drainTimeout=" + drainTimeout + ", shutdownHook=" + shutdownHook
        + ", discovery=" + discovery + ", duplicateIds=" + duplicateIds + "}";
  }

  /** Builds an {@link AgentContext}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable Scheduler scheduler;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private boolean shutdownHook;
    private boolean discovery = true;
    private DuplicateIdPolicy duplicateIds = DuplicateIdPolicy.REFUSE;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /** The scheduler for heartbeats; default {@link MessageBus#scheduler()}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How often agents broadcast a heartbeat; default 30 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /**
     * Bound on how long stopping waits for in-flight handlers, then again for the work loop;
     * default 5 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = positive("drainTimeout", timeout);
      return this;
    }

    /**
     * Whether each agent registers a JVM shutdown hook that stops it cleanly (announcing it goes
     * offline) when the JVM exits; default false. The hook is removed when the agent stops.
     */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    /**
     * Whether agents answer discovery ({@code $SRV.*}) and check their id is not taken; default
     * true.
     */
    public Builder discovery(boolean enabled) {
      this.discovery = enabled;
      return this;
    }

    /**
     * What an agent does when a live agent already has its id; default {@link
     * DuplicateIdPolicy#REFUSE}. Checked only with {@linkplain #discovery discovery} on.
     */
    public Builder duplicateIds(DuplicateIdPolicy policy) {
      this.duplicateIds = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public AgentContext build() {
      return new AgentContext(this);
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
