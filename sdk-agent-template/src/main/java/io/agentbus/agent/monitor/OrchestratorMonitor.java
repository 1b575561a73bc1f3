package io.agentbus.agent.monitor;

import io.agentbus.ConfigurationException;
import io.agentbus.Agent.State;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.Subscription;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.internal.ServiceLifecycle;
import io.agentbus.agent.internal.Subscriptions;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's watch over its agents, usable inside any agent: a registry of every agent
 * it has heard of, with its last heartbeat and status, alive or dead.
 *
 * <pre>{@code
 * OrchestratorMonitor monitor = OrchestratorMonitor.builder(bus)
 *     .deadAfter(Duration.ofSeconds(90))
 *     .onTaskFailed(d -> reassign(d.message()))
 *     .onBlocker(d -> resolve(d.message()))
 *     .addListener(e -> log.info("{} {}", e.agentId(), e.kind()))
 *     .build()
 *     .start();
 * Set<String> alive = monitor.aliveAgents();
 * }</pre>
 *
 * <p>{@link #start()} subscribes to the {@code heartbeat}, {@code status_update}, {@code
 * task_failed} and {@code blocker} broadcasts. Every message from an agent is a sign of life,
 * except a {@code status_update} whose {@code content.status} is {@code offline}, which means the
 * agent left ({@link Liveness#OFFLINE}, no death follows). An agent not heard from for {@link
 * Builder#deadAfter dead-after} (default 90 s) is marked {@link Liveness#DEAD} at exactly its last
 * sign of life plus that period, once; when it is heard from again it is alive again. Each change
 * goes to the {@link MonitorListener}s as an {@link AgentEvent}: joined, dead, recovered, left.
 * Times are the monitor's {@link Scheduler} clock at receipt, so the senders' clocks do not matter.
 *
 * <p>It keeps one timer for all agents, set for the earliest deadline (not one task per agent), so
 * tens of thousands of agents cost a map entry each. Inside, a liveness tracker keeps the registry
 * and an incident router hands on failures and blockers; the monitor subscribes and feeds both.
 *
 * <p>Thread-safe. {@link #close()} stops it; it does not close the bus.
 */
public final class OrchestratorMonitor implements AutoCloseable {
  /** The seed's dead-after period. */
  public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(90);
  /** How many agents the registry holds at most, by default. */
  public static final int DEFAULT_MAX_AGENTS = 10_000;
  /** How long an agent that left or died stays in the registry, by default. */
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  /** How long the monitor gathers discovery answers when it starts, by default. */
  public static final Duration DEFAULT_DISCOVERY_SEED = Duration.ofSeconds(2);

  private static final List<MessageType> WATCHED = List.of(MessageType.HEARTBEAT,
      MessageType.STATUS_UPDATE, MessageType.TASK_FAILED, MessageType.BLOCKER);

  private final MessageBus bus;
  private final Duration deadAfter;
  private final Duration drainTimeout;
  private final @Nullable Duration discoverySeed;
  private final LivenessTracker liveness;
  private final IncidentRouter incidents;
  private final ServiceLifecycle lifecycle = new Lifecycle();
  private final Object startLock = new Object();
  // set while starting, taken while stopping; the lifecycle orders the two
  private final List<Subscription> subscriptions = new ArrayList<>();
  private volatile @Nullable CompletableFuture<?> seeding;

  private OrchestratorMonitor(Builder b) {
    this.bus = b.bus;
    this.deadAfter = b.deadAfter;
    this.drainTimeout = b.drainTimeout;
    this.liveness = new LivenessTracker(b.scheduler != null ? b.scheduler : b.bus.scheduler(),
        b.deadAfter, b.maxAgents, b.retention, b.listeners);
    this.discoverySeed = b.discoverySeed;
    this.incidents = new IncidentRouter(b.taskFailedHandler, b.blockerHandler);
    // however it ends (closed before starting, closed, or failed to start), the registry stops
    lifecycle.addListener((from, to, failure) -> {
      if (to.isTerminal()) {
        liveness.close();
      }
    });
  }

  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Subscribes to the broadcasts it watches. Idempotent.
   *
   * @return this monitor
   * @throws IllegalStateException if it was closed
   * @throws RuntimeException what subscribing threw, if it fails (the monitor is then closed)
   */
  public OrchestratorMonitor start() {
    synchronized (startLock) {
      boolean first = lifecycle.state() == State.NEW;
      lifecycle.startAsync();
      State now = lifecycle.state();
      if (now == State.RUNNING) {
        return this;
      }
      if (first && now == State.FAILED
          && lifecycle.failureCause() instanceof RuntimeException e) {
        throw e;
      }
      throw new IllegalStateException("This OrchestratorMonitor is closed");
    }
  }

  /**
   * Stops watching: cancels its timer (no agent is marked dead any more) and drains its
   * subscriptions, so that messages already received are still taken into account (up to the
   * drain timeout). No event follows its return. Idempotent.
   */
  @Override
  public void close() {
    lifecycle.stopAsync();
  }

  /** Starts and stops on the caller's thread: subscribing does not block, draining is bounded. */
  private final class Lifecycle extends ServiceLifecycle {
    Lifecycle() {
      super(() -> "The orchestrator monitor");
    }

    @Override
    protected void doStart() {
      try {
        for (MessageType type : WATCHED) {
          subscriptions.add(bus.subscribeToBroadcasts(type, OrchestratorMonitor.this::onDelivery));
        }
        if (discoverySeed != null) {
          // who is there already, without waiting up to a heartbeat interval to hear of them
          seeding = AgentDirectory.of(bus).listAsync(discoverySeed,
              info -> liveness.seen(info.agentId()));
        }
      } catch (RuntimeException e) {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
        throw e;
      }
      notifyStarted();
    }

    @Override
    protected void doStop(@Nullable Throwable cause) {
      CompletableFuture<?> seed = seeding;
      if (seed != null) {
        seed.cancel(false);
      }
      liveness.stopTimers();
      Subscriptions.drainAll(subscriptions, drainTimeout, "The orchestrator monitor");
      subscriptions.clear();
      notifyStopped();
    }
  }

  public void addListener(MonitorListener listener) {
    liveness.addListener(Objects.requireNonNull(listener, "listener"));
  }

  // ------------------------------------------------------------------ input

  private void onDelivery(Delivery d) throws Exception {
    liveness.observe(d.message());
    incidents.route(d);
  }

  /**
   * Takes one message into account as if it had arrived on the bus (without calling the {@code
   * task_failed} and {@code blocker} handlers): for feeding the monitor from elsewhere, such as an
   * agent's own subscription or a replay. Works whether or not the monitor is started; ignored once
   * it is closed.
   */
  public void observe(AgentMessage message) {
    liveness.observe(message);
  }

  // ------------------------------------------------------------------ queries

  /** The ids of the agents alive now, sorted. */
  public Set<String> aliveAgents() {
    return liveness.aliveAgents();
  }

  /** Every agent heard of, sorted by id. */
  public List<AgentStatus> agents() {
    return liveness.agents();
  }

  /** What is known of {@code agentId}, or empty if it was never heard of. */
  public Optional<AgentStatus> status(String agentId) {
    return liveness.status(agentId);
  }

  /** True when {@code agentId} is known and alive. */
  public boolean isAlive(String agentId) {
    return liveness.isAlive(agentId);
  }

  /** How many agents it has heard of. */
  public int size() {
    return liveness.size();
  }

  /** How many messages it has taken into account since it was built. */
  public long observedMessages() {
    return liveness.observedMessages();
  }

  /**
   * How many new agents it ignored because its registry was full of live agents ({@link
   * Builder#maxAgents}).
   */
  public long refusedAgents() {
    return liveness.refusedAgents();
  }

  /** How many agents that left or died it has forgotten ({@link Builder#retention}). */
  public long evictedAgents() {
    return liveness.evictedAgents();
  }

  public Duration deadAfter() {
    return deadAfter;
  }

  @Override
  public String toString() {
    return "OrchestratorMonitor{agents=" + size() + ", deadAfter=" + deadAfter + "}";
  }

  /** Builds an {@link OrchestratorMonitor}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable Scheduler scheduler;
    private Duration deadAfter = DEFAULT_DEAD_AFTER;
    private Duration drainTimeout = AgentContext.DEFAULT_DRAIN_TIMEOUT;
    private MessageHandler taskFailedHandler = IncidentRouter.LOG_TASK_FAILED;
    private MessageHandler blockerHandler = IncidentRouter.LOG_BLOCKER;
    private final List<MonitorListener> listeners = new ArrayList<>();
    private int maxAgents = DEFAULT_MAX_AGENTS;
    private Duration retention = DEFAULT_RETENTION;
    private @Nullable Duration discoverySeed = DEFAULT_DISCOVERY_SEED;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /** The clock and timer for dead detection; default the bus's scheduler. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How long without a sign of life before an agent is dead; default 90 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder deadAfter(Duration deadAfter) {
      this.deadAfter = positive("deadAfter", deadAfter);
      return this;
    }

    /**
     * How many agents the registry holds at most; default 10,000. When full, an agent that left
     * or died is forgotten to make room for a new one; when every agent in it is alive, new agents
     * are ignored (counted in {@link OrchestratorMonitor#refusedAgents()}, logged at most once a
     * minute), so forged heartbeats under made-up ids cannot grow it without bound.
     *
     * @throws ConfigurationException if less than 1
     */
    public Builder maxAgents(int maxAgents) {
      if (maxAgents < 1) {
        throw new ConfigurationException("maxAgents must be at least 1, was " + maxAgents);
      }
      this.maxAgents = maxAgents;
      return this;
    }

    /**
     * How long an agent that left or died stays in the registry (and in {@link
     * OrchestratorMonitor#agents()}) before it is forgotten; default 1 h. Heard from again, it
     * simply joins anew.
     *
     * @throws ConfigurationException if not positive
     */
    public Builder retention(Duration retention) {
      this.retention = positive("retention", retention);
      return this;
    }

    /**
     * How long, at {@link OrchestratorMonitor#start()}, to gather the agents that answer discovery
     * ({@code $SRV.INFO}), each taken as alive as its answer arrives; default 2 s (start does not
     * wait for it). Agents that only heartbeat are known at their next heartbeat, as before.
     */
    public Builder seedFromDiscovery(Duration timeout) {
      this.discoverySeed = positive("seedFromDiscovery", timeout);
      return this;
    }

    /** Does not ask discovery at start: the registry fills from heartbeats alone. */
    public Builder noDiscoverySeed() {
      this.discoverySeed = null;
      return this;
    }

    /** How long {@link #close()} waits for in-flight handlers; default 5 s. */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = positive("drainTimeout", drainTimeout);
      return this;
    }

    /**
     * Handles {@code task_failed} broadcasts (after the monitor has noted the sender is alive).
     * Default: log at warn. If it throws, the bus logs and dead-letters the message.
     */
    public Builder onTaskFailed(MessageHandler handler) {
      this.taskFailedHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Handles {@code blocker} broadcasts, like {@link #onTaskFailed}. Default: log at warn. */
    public Builder onBlocker(MessageHandler handler) {
      this.blockerHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    public Builder addListener(MonitorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** A monitor, not yet subscribed: call {@link OrchestratorMonitor#start()}. */
    public OrchestratorMonitor build() {
      return new OrchestratorMonitor(this);
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
