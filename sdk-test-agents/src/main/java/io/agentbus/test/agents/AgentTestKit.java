package io.agentbus.test.agents;

import io.agentbus.Agent;
import io.agentbus.AgentEndpoint;
import io.agentbus.MessageBus;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Agents under test, in one line: the in-memory transport, a {@link MessageBus} (JSON), an {@link
 * AgentContext} for the agents and a started {@link OrchestratorMonitor}, all on one {@link
 * VirtualScheduler}. Request timeouts, heartbeats, retries' back-off and dead-agent detection all
 * move only when the test {@linkplain #advance advances} the clock, so a 5-second timeout takes
 * no real time.
 *
 * <pre>{@code
 * try (AgentTestKit kit = AgentTestKit.create()) {
 *   kit.start(BillingAgent::new);
 *   kit.start(Planner::new);              // asks billing-agent: 5 s timeout, asks once more
 *   kit.hold(BillingAgent.ID);            // billing-agent is slow: its messages wait
 *   kit.endpoint("orchestrator").send(Planner.ID, MessageType.TASK_ASSIGNMENT, task);
 *   kit.awaitPendingRequests(1);          // the planner's first ask waits for its reply
 *   kit.advance(Duration.ofSeconds(5));   // ... and times out, in no real time
 *   kit.awaitPendingRequests(1);          // the planner asked again
 *   kit.release(BillingAgent.ID);         // billing-agent answers; the second answer counts
 * }
 * }</pre>
 *
 * <p>Every wait ({@code await...}, {@link #start}) gives up after {@link #timeout()} of real time
 * (default 10 s) with an {@link AssertionError} that says what it waited for and where the clock
 * stands, so a wrong test fails fast instead of hanging. The clock never moves on its own: a wait
 * for something only virtual time can bring fails rather than passing by accident.
 *
 * <p>{@link #close()} stops the agents it started (last first), the monitor and the bus. The
 * accessors and waits are thread-safe; starting agents and closing are meant for the test thread.
 */
public final class AgentTestKit implements AutoCloseable {
  /** How long a wait lasts, in real time, before it fails the test. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final VirtualScheduler time;
  private final Duration timeout;
  private final InMemoryTransport transport;
  private final HoldingTransport holding;
  private final MessageBus bus;
  private final AgentContext context;
  private final OrchestratorMonitor monitor;
  private final Deque<Agent> started = new ArrayDeque<>();

  private AgentTestKit(Builder b) {
    this.time = b.time;
    this.timeout = b.timeout;
    this.transport = InMemoryTransport.builder().scheduler(time).name("agent-test-kit").build();
    this.holding = new HoldingTransport(transport);
    this.bus = MessageBus.builder()
        .transport(holding)
        .codec(JsonCodec.create())
        .scheduler(time)
        .build();
    this.context = AgentContext.builder(bus)
        .scheduler(time)
        .heartbeatInterval(b.heartbeatInterval)
        .build();
    this.monitor = OrchestratorMonitor.builder(bus)
        .scheduler(time)
        .deadAfter(b.deadAfter)
        .build()
        .start();
  }

  /** A kit with the defaults: a fresh {@link VirtualScheduler}, waits of 10 s, the seed's periods. */
  public static AgentTestKit create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The clock every part of the kit runs on. */
  public VirtualScheduler time() {
    return time;
  }

  /** The bus the agents and the monitor share. */
  public MessageBus bus() {
    return bus;
  }

  /** The in-memory transport under the bus, for its counters ({@code pendingRequests()}, ...). */
  public InMemoryTransport transport() {
    return transport;
  }

  /** The context to build agents with: this bus, this clock, no shutdown hook. */
  public AgentContext context() {
    return context;
  }

  /** The orchestrator monitor, started: it has seen every heartbeat and status on the bus. */
  public OrchestratorMonitor monitor() {
    return monitor;
  }

  /** How long each wait lasts in real time before it fails. */
  public Duration timeout() {
    return timeout;
  }

  /** An endpoint to send and request as {@code agentId}, as a peer that is not an agent would. */
  public AgentEndpoint endpoint(String agentId) {
    return bus.endpoint(agentId);
  }

  /**
   * Builds an agent with {@link #context()} (usually a constructor reference, {@code
   * BillingAgent::new}), starts it and waits until it runs; {@link #close()} stops it.
   *
   * @throws AssertionError if it is not running within {@link #timeout()}, with its state and
   *     failure cause
   */
  public <A extends Agent> A start(Function<AgentContext, A> factory) {
    return startAgent(factory.apply(context));
  }

  /** Starts an agent the test built (on {@link #context()}'s bus), as {@link #start(Function)}. */
  public <A extends Agent> A startAgent(A agent) {
    Objects.requireNonNull(agent, "agent");
    started.push(agent);
    agent.startAsync();
    try {
      agent.awaitRunning(timeout);
    } catch (TimeoutException e) {
      throw new AssertionError("Agent " + agent.id() + " was not running within " + timeout
          + " (state " + agent.state() + ")", e);
    } catch (IllegalStateException e) {
      throw new AssertionError("Agent " + agent.id() + " failed to start: " + e.getMessage(),
          agent.failureCause() != null ? agent.failureCause() : e);
    }
    return agent;
  }

  /**
   * Holds every message sent to {@code agentId} (its direct subject) until {@link #release}: the
   * agent stays subscribed, so a request to it is not refused but waits, and times out when the
   * clock passes its timeout, as with an agent that is slow to answer. On release the agent gets
   * the held messages in order; replies to requests that have ended are dropped, as on NATS.
   */
  public void hold(String agentId) {
    holding.hold(directPrefix(agentId));
  }

  /** Hands {@code agentId} the messages held for it, and the next ones at once. */
  public void release(String agentId) {
    holding.release(directPrefix(agentId));
  }

  private String directPrefix(String agentId) {
    return bus.subjects().namespace() + ".agent." + agentId + ".";
  }

  /** Moves the clock forward, running every timer that falls due on the way. */
  public void advance(Duration amount) {
    time.advance(amount);
  }

  /**
   * Waits until at least {@code count} requests on the bus wait for their replies, each with its
   * timeout already on the clock: the moment to {@linkplain #advance advance} time past a timeout,
   * or to check that an agent asked before it answered.
   *
   * @throws AssertionError if fewer are pending after {@link #timeout()}
   */
  public void awaitPendingRequests(int count) {
    await(count + " pending request(s) (pending: " + transport.pendingRequests() + ")",
        () -> transport.pendingRequests() >= count);
  }

  /** Waits until no request waits for a reply any more (answered, timed out or failed). */
  public void awaitNoPendingRequests() {
    await("no pending requests", () -> transport.pendingRequests() == 0);
  }

  /** Waits until the monitor has heard from {@code agentId} and holds it alive. */
  public void awaitAlive(String agentId) {
    await(agentId + " alive in the monitor", () -> monitor.isAlive(agentId));
  }

  /**
   * Waits until the monitor has a heartbeat from {@code agentId} sent at the clock's current
   * instant. A heartbeat is published on the clock's thread during {@link #advance} but delivered
   * on the transport's: advance one heartbeat period at a time and wait for each, or the monitor's
   * dead-agent timer may run before the heartbeats that would have kept the agent alive arrive.
   */
  public void awaitHeartbeat(String agentId) {
    await("a heartbeat from " + agentId + " at " + time.now(), () -> monitor.status(agentId)
        .map(s -> time.now().equals(s.lastHeartbeat()))
        .orElse(false));
  }

  /** Waits until the monitor holds {@code agentId} not alive (dead or gone offline). */
  public void awaitNotAlive(String agentId) {
    await(agentId + " not alive in the monitor",
        () -> monitor.status(agentId).isPresent() && !monitor.isAlive(agentId));
  }

  /**
   * Waits for {@code future} and returns its value; when it failed, throws its cause as it is
   * (an {@code AgentBusException}, ...), so {@code assertThatThrownBy(() -> kit.await(f))} sees
   * what the code under test threw.
   *
   * @throws AssertionError if it is not complete after {@link #timeout()}
   */
  public <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Waited " + timeout + " for a result; " + clock()
          + ". Does it wait for virtual time the test has not advanced?", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new AssertionError("The future failed with " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for a result", e);
    }
  }

  /**
   * Waits until {@code condition} holds, checking every millisecond of real time; the clock does
   * not move meanwhile.
   *
   * @param what what is awaited, for the failure message
   * @throws AssertionError if it does not hold after {@link #timeout()}
   */
  public void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Waited " + timeout + " for " + what + "; " + clock());
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private String clock() {
    return "virtual time is " + time.now() + " with timers due at " + time.dueTimes();
  }

  /**
   * Stops the agents this kit started, last first (each within {@link #timeout()}), then the
   * monitor and the bus. Idempotent.
   */
  @Override
  public void close() {
    AssertionError failure = null;
    holding.releaseAll(); // a held message would keep its agent from stopping
    while (!started.isEmpty()) {
      Agent agent = started.pop();
      try {
        agent.stopAsync().awaitTerminated(timeout);
      } catch (TimeoutException | RuntimeException e) {
        if (failure == null) {
          failure = new AssertionError("Agent " + agent.id() + " did not stop within " + timeout
              + " (state " + agent.state() + ")", e);
        }
      }
    }
    monitor.close();
    bus.close();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "AgentTestKit{" + clock() + ", agents=" + started.size() + "}";
  }

  /** Builds an {@link AgentTestKit}. Not thread-safe. */
  public static final class Builder {
    private VirtualScheduler time = VirtualScheduler.create();
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration heartbeatInterval = AgentContext.DEFAULT_HEARTBEAT_INTERVAL;
    private Duration deadAfter = OrchestratorMonitor.DEFAULT_DEAD_AFTER;

    private Builder() {}

    /** The clock, e.g. the one {@code VirtualTimeExtension} gives the test; default a fresh one. */
    public Builder time(VirtualScheduler time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /**
     * How long each wait lasts in real time before it fails the test; default 10 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
      return this;
    }

    /** The agents' heartbeat period; default 30 s, as the seed. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /** After how long without a sign of life the monitor holds an agent dead; default 90 s. */
    public Builder deadAfter(Duration deadAfter) {
      this.deadAfter = positive("deadAfter", deadAfter);
      return this;
    }

    public AgentTestKit build() {
      return new AgentTestKit(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
