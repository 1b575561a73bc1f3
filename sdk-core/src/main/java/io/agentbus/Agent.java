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

  /**
   * Whether the agent can serve now: it is {@link State#RUNNING} and its connection to the message
   * server is up and accepted. A running agent is not serving while the connection is lost and
   * being re-established, or while the server refuses its credentials at a reconnect; it serves
   * again once the connection is back. This default says serving exactly when RUNNING; {@code
   * AbstractAgent} also watches the connection. Cheap and thread-safe; meant for health checks.
   */
  default Health health() {
    State s = state();
    return s == State.RUNNING ? Health.SERVING : Health.notServing("the agent is " + s);
  }

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
   * Whether an agent serves, and if not, why: a value for health checks and operators.
   *
   * @param serving true when the agent can receive and answer messages now
   * @param reason why it does not serve, for a person to read (for example {@code "the server
   *     refused its credentials at reconnect: Authorization Violation ..."}); null when serving
   */
  record Health(boolean serving, @Nullable String reason) {
    /** Serving, no reason. */
    public static final Health SERVING = new Health(true, null);

    /**
     * Checks that a reason is given exactly when not serving.
     *
     * @throws IllegalArgumentException if not, naming which
     */
    public Health {
      if (serving != (reason == null)) {
        throw new IllegalArgumentException(serving ? "A serving agent has no reason not to "
            + "serve, got: " + reason : "An agent that does not serve needs a reason");
      }
    }

    /** Not serving, because of {@code reason}. */
    public static Health notServing(String reason) {
      return new Health(false, java.util.Objects.requireNonNull(reason, "reason"));
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
