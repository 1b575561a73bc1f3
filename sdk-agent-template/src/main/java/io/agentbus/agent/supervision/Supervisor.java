package io.agentbus.agent.supervision;

import io.agentbus.Agent;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts agents whose start or work loop failed (the agent ended {@link Agent.State#FAILED}),
 * each by its {@link RestartPolicy}: a fresh instance from the agent's factory after an
 * exponential backoff, at most {@link RestartPolicy#maxRestarts()} times within {@link
 * RestartPolicy#window()}. Past that the agent stays failed, and a {@code blocker} broadcast from
 * it says so, so the orchestrator knows:
 *
 * <pre>{@code
 * {"agent_id": "parser-dev-001", "status": "failed", "error": "IllegalStateException: ...",
 *  "restarts": 3, "max_restarts": 3, "window_seconds": 60}
 * }</pre>
 *
 * <p>An agent that ends without failing (its work loop returned, or it was stopped) is not
 * restarted. Backoffs are timed by the {@linkplain Builder#scheduler scheduler} (virtual time in
 * tests). Thread-safe.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final MessageBus bus;
  private final Scheduler scheduler;
  private final RestartPolicy defaultPolicy;
  private final Duration stopTimeout;
  private final List<SupervisedAgent> agents = new ArrayList<>(); // guarded by itself
  private volatile boolean closed;

  private Supervisor(Builder b) {
    this.bus = b.bus;
    this.scheduler = b.scheduler != null ? b.scheduler : bus.scheduler();
    this.defaultPolicy = b.defaultPolicy;
    this.stopTimeout = b.stopTimeout;
  }

  /** A builder for a supervisor whose blockers go out on {@code bus}. */
  public static Builder builder(MessageBus bus) {
    return new Builder(Objects.requireNonNull(bus, "bus"));
  }

  /** {@link #supervise(Supplier, RestartPolicy)} with the default policy. */
  public SupervisedAgent supervise(Supplier<? extends Agent> factory) {
    return supervise(factory, defaultPolicy);
  }

  /**
   * Starts an agent from {@code factory} and restarts it with a fresh one from the same factory
   * when it fails. The factory must return a new, unstarted instance with the same id each time.
   *
   * @throws IllegalStateException once closed
   */
  public SupervisedAgent supervise(Supplier<? extends Agent> factory, RestartPolicy policy) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(policy, "policy");
    if (closed) {
      throw new IllegalStateException("This Supervisor is closed");
    }
    Agent first = Objects.requireNonNull(factory.get(), "the agent factory returned null");
    SupervisedAgent s = new SupervisedAgent(factory, policy, first);
    synchronized (agents) {
      agents.add(s);
    }
    watchAndStart(s, first);
    return s;
  }

  /** The agents supervised, in the order they were added. */
  public List<SupervisedAgent> agents() {
    synchronized (agents) {
      return List.copyOf(agents);
    }
  }

  private void watchAndStart(SupervisedAgent s, Agent agent) {
    agent.addListener((a, from, to, failure) -> {
      if (to == Agent.State.FAILED) {
        failed(s, a, failure != null ? failure : new IllegalStateException("failed"));
      } else if (to == Agent.State.TERMINATED) {
        synchronized (s.lock()) {
          if (s.isCurrent(a) && s.status() == SupervisedAgent.Status.RUNNING) {
            s.set(SupervisedAgent.Status.STOPPED);
          }
        }
      }
    });
    agent.startAsync();
  }

  private void failed(SupervisedAgent s, Agent agent, Throwable cause) {
    Duration backoff;
    int recent;
    synchronized (s.lock()) {
      if (closed || !s.isCurrent(agent)) {
        return;
      }
      backoff = s.failed(cause, scheduler.now());
      recent = s.recentRestarts();
      if (backoff != null) {
        s.pending(scheduler.schedule(backoff, () -> restart(s)));
      }
    }
    if (backoff != null) {
      log.warn("Agent '{}' failed ({}); restarting it in {} (restart {} of at most {} within {})",
          agent.id(), describe(cause), backoff, recent + 1, s.policy().maxRestarts(),
          s.policy().window());
      return;
    }
    log.error("Agent '{}' failed ({}) after {} restart(s) within {}; it stays failed",
        agent.id(), describe(cause), recent, s.policy().window(), cause);
    announce(s, agent.id(), cause, recent);
  }

  private void restart(SupervisedAgent s) {
    Agent next;
    try {
      next = Objects.requireNonNull(s.factory().get(), "the agent factory returned null");
    } catch (RuntimeException e) {
      Agent broken = s.current();
      log.warn("The factory of agent '{}' failed to make a new instance", broken.id(), e);
      synchronized (s.lock()) {
        s.restarted(broken, scheduler.now()); // counts as a restart that failed at once
      }
      failed(s, broken, e);
      return;
    }
    synchronized (s.lock()) {
      if (closed) {
        return;
      }
      s.restarted(next, scheduler.now());
    }
    log.info("Restarting agent '{}' (restart {})", next.id(), s.restarts());
    watchAndStart(s, next);
  }

  private void announce(SupervisedAgent s, String agentId, Throwable cause, int restarts) {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("agent_id", agentId);
    content.put("status", "failed");
    content.put("error", describe(cause));
    content.put("restarts", (long) restarts);
    content.put("max_restarts", (long) s.policy().maxRestarts());
    content.put("window_seconds", s.policy().window().toSeconds());
    try {
      bus.endpoint(agentId).broadcast(MessageType.BLOCKER, content);
    } catch (RuntimeException e) {
      log.warn("Could not broadcast that agent '{}' stays failed", agentId, e);
    }
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /**
   * Stops supervising: pending restarts are cancelled and the running instances stopped (each
   * waited for up to the {@linkplain Builder#stopTimeout stop timeout}). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Agent> running = new ArrayList<>();
    for (SupervisedAgent s : agents()) {
      synchronized (s.lock()) {
        running.add(s.stop());
      }
    }
    for (int i = running.size() - 1; i >= 0; i--) {
      Agent a = running.get(i);
      try {
        a.stopAsync().awaitTerminated(stopTimeout);
      } catch (TimeoutException e) {
        log.warn("Agent '{}' did not stop within {}", a.id(), stopTimeout);
      } catch (IllegalStateException e) {
        log.debug("Agent '{}' ended FAILED: {}", a.id(), e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "Supervisor{" + agents() + "}";
  }

  /** Builds a {@link Supervisor}; not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable Scheduler scheduler;
    private RestartPolicy defaultPolicy = RestartPolicy.DEFAULTS;
    private Duration stopTimeout = Duration.ofSeconds(15);

    private Builder(MessageBus bus) {
      this.bus = bus;
    }

    /** The clock for backoffs and windows; default the bus's scheduler. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The policy of {@link #supervise(Supplier)}; default {@link RestartPolicy#DEFAULTS}. */
    public Builder defaultPolicy(RestartPolicy policy) {
      this.defaultPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How long {@link #close()} waits for each agent to stop; default 15 s. */
    public Builder stopTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("Supervisor: stopTimeout must be positive, was "
            + timeout);
      }
      this.stopTimeout = timeout;
      return this;
    }

    /** The supervisor. */
    public Supervisor build() {
      return new Supervisor(this);
    }
  }
}
