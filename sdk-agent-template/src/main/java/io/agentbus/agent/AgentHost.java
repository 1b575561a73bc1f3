package io.agentbus.agent;

import io.agentbus.Agent;
import io.agentbus.MessageBus;
import io.agentbus.agent.internal.ServiceLifecycle;
import io.agentbus.agent.internal.ShutdownHook;
import io.agentbus.agent.supervision.RestartPolicy;
import io.agentbus.agent.supervision.SupervisedAgent;
import io.agentbus.agent.supervision.Supervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a shared {@link MessageBus} and the agents running on it: starts agents, and on {@link
 * #close()} stops them (one at a time, in reverse order of starting) and then drains and closes
 * the bus. Many agents share the one bus and its one connection; none of them closes it.
 *
 * <pre>{@code
 * try (AgentHost host = AgentHost.create(bus, Duration.ofSeconds(15), true)) {
 *   host.start(Duration.ofSeconds(10), architect, parser, decomposer);
 *   parser.awaitTerminated(Duration.ofMinutes(5)); // whatever ends the run
 * } // stops the agents, then closes the bus
 * }</pre>
 *
 * With Guice, {@code AgentBusModule} provides the host ({@code injector.getInstance(AgentHost
 * .class)}) from the configuration.
 *
 * <p>With {@code shutdownHook} on, a JVM shutdown hook closes the host (it is removed again by an
 * explicit {@link #close()}). Thread-safe; {@link #close()} is idempotent.
 */
public final class AgentHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentHost.class);

  private final MessageBus bus;
  private final Duration stopTimeout;
  private final boolean hookOnShutdown;
  private final List<Agent> agents = new ArrayList<>(); // guarded by this
  private final ServiceLifecycle lifecycle = new Lifecycle();
  private volatile @Nullable ShutdownHook shutdownHook;
  private @Nullable Supervisor supervisor; // guarded by this

  private AgentHost(MessageBus bus, Duration stopTimeout, boolean shutdownHook) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
    if (stopTimeout.isNegative() || stopTimeout.isZero()) {
      throw new IllegalArgumentException("stopTimeout must be positive, was " + stopTimeout);
    }
    this.hookOnShutdown = shutdownHook;
  }

  /**
   * A host owning {@code bus}.
   *
   * @param stopTimeout how long {@link #close()} waits for each agent to stop, and then for the
   *     bus to drain
   * @param shutdownHook whether to close the host when the JVM exits
   */
  public static AgentHost create(MessageBus bus, Duration stopTimeout, boolean shutdownHook) {
    AgentHost host = new AgentHost(bus, stopTimeout, shutdownHook);
    host.lifecycle.startAsync();
    if (!host.lifecycle.isRunning()) {
      throw new IllegalStateException("Could not set up the agent host",
          host.lifecycle.failureCause());
    }
    return host;
  }

  /** The bus this host owns. */
  public MessageBus bus() {
    return bus;
  }

  /**
   * Starts the agents (all at once) and waits until each is RUNNING. The host stops them on
   * {@link #close()}, whether or not they started.
   *
   * @throws IllegalStateException if one of them failed to start (the others keep running; close
   *     the host to stop them), or the host is closed
   * @throws TimeoutException if they are not all RUNNING within {@code startTimeout}
   */
  public AgentHost start(Duration startTimeout, Agent... toStart) throws TimeoutException {
    add(toStart);
    for (Agent a : toStart) {
      a.startAsync();
    }
    long deadline = System.nanoTime() + startTimeout.toNanos();
    for (Agent a : toStart) {
      a.awaitRunning(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    return this;
  }

  /**
   * Starts an agent from {@code factory} under supervision: when it fails (its start or work
   * loop), a fresh instance from the factory replaces it, by {@code policy} (see {@link
   * Supervisor}); {@link #close()} stops it with the others. Returns at once.
   *
   * @throws IllegalStateException if the host is closed
   */
  public SupervisedAgent supervise(Supplier<? extends Agent> factory, RestartPolicy policy) {
    Supervisor s;
    synchronized (this) {
      if (!lifecycle.isRunning()) {
        throw new IllegalStateException("This AgentHost is closed");
      }
      if (supervisor == null) {
        supervisor = Supervisor.builder(bus).stopTimeout(stopTimeout).build();
      }
      s = supervisor;
    }
    return s.supervise(factory, policy);
  }

  /**
   * Registers an agent started elsewhere, so that {@link #close()} stops it before closing the bus.
   *
   * @throws IllegalStateException if the host is closed
   */
  public AgentHost register(Agent agent) {
    add(agent);
    return this;
  }

  private synchronized void add(Agent... toAdd) {
    // under the lock close() takes the list with: an agent added is an agent stopped
    if (!lifecycle.isRunning()) {
      throw new IllegalStateException("This AgentHost is closed");
    }
    for (Agent a : toAdd) {
      agents.add(Objects.requireNonNull(a, "agent"));
    }
  }

  /** The agents this host started or registered, in that order. */
  public synchronized List<Agent> agents() {
    return List.copyOf(agents);
  }

  /**
   * The health of the whole process, for a readiness probe: serving when every agent this host
   * started or registered serves ({@link Agent#health()}), else not serving with each one that
   * does not and why, as {@code "<id>: <reason>"} joined by {@code "; "}. A host with no agents,
   * or a closed one, does not serve.
   */
  public Agent.Health health() {
    if (!lifecycle.isRunning()) {
      return Agent.Health.notServing("the agent host is closed");
    }
    List<Agent> all = agents();
    if (all.isEmpty()) {
      return Agent.Health.notServing("the agent host has no agents");
    }
    StringJoiner why = new StringJoiner("; ");
    for (Agent a : all) {
      Agent.Health h = a.health();
      if (!h.serving()) {
        why.add(a.id() + ": " + h.reason());
      }
    }
    return why.length() == 0 ? Agent.Health.SERVING : Agent.Health.notServing(why.toString());
  }

  /**
   * Stops every agent, one at a time in reverse order of start (waiting up to the stop timeout
   * for each), then drains and closes the bus. Failures are logged, not thrown. Idempotent; a
   * second call, even while the first is under way, returns at once.
   */
  @Override
  public void close() {
    lifecycle.stopAsync();
  }

  /** Starting only registers the hook; stopping runs on the thread that closes. */
  private final class Lifecycle extends ServiceLifecycle {
    Lifecycle() {
      super(() -> "The agent host");
    }

    @Override
    protected void doStart() {
      if (hookOnShutdown) {
        shutdownHook = ShutdownHook.register("host", AgentHost.this::close);
      }
      notifyStarted();
    }

    @Override
    protected void doStop(@Nullable Throwable cause) {
      ShutdownHook hook = shutdownHook;
      if (hook != null) {
        hook.unregister();
      }
      stopAgents();
      closeBus();
      notifyStopped();
    }
  }

  private void stopAgents() {
    List<Agent> toStop;
    Supervisor s;
    synchronized (this) {
      toStop = new ArrayList<>(agents);
      s = supervisor;
    }
    if (s != null) {
      s.close(); // no more restarts; its agents stop first, as the last started
    }
    // one at a time, last started first: an orchestrator started first sees the others leave
    for (int i = toStop.size() - 1; i >= 0; i--) {
      Agent a = toStop.get(i);
      try {
        a.stopAsync().awaitTerminated(stopTimeout);
      } catch (TimeoutException e) {
        log.warn("Agent '{}' did not stop within {}; closing the bus anyway", a.id(),
            stopTimeout);
      } catch (IllegalStateException e) {
        log.warn("Agent '{}' ended FAILED: {}", a.id(), e.getMessage());
      }
    }
  }

  private void closeBus() {
    try {
      bus.drain(stopTimeout).get(stopTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      bus.close();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("The message bus did not drain within {}: {}; closed anyway", stopTimeout,
          String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
      bus.close();
    }
  }

  @Override
  public String toString() {
    return "AgentHost{bus=" + bus + ", agents=" + agents().size() + "}";
  }
}
