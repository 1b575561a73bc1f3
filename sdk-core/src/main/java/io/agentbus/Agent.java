package io.agentbus;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle every agent follows, as a state machine with terminal states (after Guava's {@code
 * Service}):
 *
 * <pre>
 * NEW ─startAsync→ STARTING ─→ RUNNING ─stopAsync→ STOPPING ─→ TERMINATED
 *                      └──────────┴──────────────────┴──(failure)──→ FAILED
 * </pre>
 *
 * Starting subscribes the agent and begins its heartbeats; stopping announces it is going offline,
 * stops heartbeats, drains its subscriptions and releases what it opened. {@code sdk-agent-template}
 * provides the implementation ({@code AbstractAgent}); this interface is the contract others (an
 * orchestrator, a supervisor, a test) program against. Implementations are thread-safe.
 */
public interface Agent {

  /** The agent's id: a subject token, unique on the bus. */
  String id();

  /** The teams this agent belongs to. */
  Set<String> teams();

  State state();

  /**
   * Begins starting, if {@link State#NEW}; otherwise does nothing.
   *
   * @return this agent
   */
  Agent startAsync();

  /**
   * Begins stopping: from NEW straight to TERMINATED, from STARTING or RUNNING through STOPPING.
   * Does nothing in a terminal state or while already stopping. Idempotent.
   *
   * @return this agent
   */
  Agent stopAsync();

  /**
   * Waits for RUNNING.
   *
   * @throws IllegalStateException if the agent reaches a state from which RUNNING is unreachable
   *     (the cause is the failure, if any)
   * @throws TimeoutException if {@code timeout} passes first
   */
  void awaitRunning(Duration timeout) throws TimeoutException;

  /**
   * Waits for TERMINATED.
   *
   * @throws IllegalStateException if the agent FAILED instead
   * @throws TimeoutException if {@code timeout} passes first
   */
  void awaitTerminated(Duration timeout) throws TimeoutException;

  /** Why the agent FAILED, or null when it has not. */
  @Nullable Throwable failureCause();

  /** Adds a listener for state transitions, called in transition order. */
  void addListener(Listener listener);

  /** Lifecycle states; {@link #TERMINATED} and {@link #FAILED} are terminal. */
  enum State {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    TERMINATED,
    FAILED;

    public boolean isTerminal() {
      return this == TERMINATED || this == FAILED;
    }
  }

  /**
   * Told of each state transition. Called without locks held, on the thread that made the
   * transition; do not block. An exception is logged and ignored.
   */
  @FunctionalInterface
  interface Listener {
    /**
     * @param failure the cause when {@code to} is {@link State#FAILED}, otherwise null
     */
    void onTransition(Agent agent, State from, State to, @Nullable Throwable failure);
  }
}
