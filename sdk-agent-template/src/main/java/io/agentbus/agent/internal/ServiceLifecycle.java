package io.agentbus.agent.internal;

import io.agentbus.Agent.State;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one lifecycle of agents, hosts and monitors, after Guava's {@code AbstractService}: a state
 * machine (NEW, STARTING, RUNNING, STOPPING, TERMINATED, FAILED) whose subclass supplies {@link
 * #doStart()} and {@link #doStop(Throwable)} and reports their outcome with {@link
 * #notifyStarted()}, {@link #notifyStopped()} or {@link #notifyFailed(Throwable)}, on any thread,
 * now or later.
 *
 * <p>{@code doStart} and {@code doStop} are called without locks held, on the thread that asked
 * ({@link #startAsync()}, {@link #stopAsync()}, {@link #failAsync(Throwable)}, or {@link
 * #notifyStarted()} when a stop was asked for while starting). A subclass whose start or stop
 * blocks hands it to another thread ({@link AgentThreads#runTransition}), which makes the start
 * or stop asynchronous; one that does not is simply done on return. If either throws, the service FAILED.
 *
 * <p>Stopping is idempotent: from NEW straight to TERMINATED (neither hook is called); while
 * STARTING it is remembered and {@code doStop} follows the start; from RUNNING {@code doStop} is
 * called once; otherwise nothing happens. Listeners are told of each transition one at a time, in
 * order, without locks held, before {@link #awaitRunning} or {@link #awaitTerminated} return for
 * it. Thread-safe.
 */
public abstract class ServiceLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ServiceLifecycle.class);

  private final Supplier<String> name;
  private final Object lock = new Object();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final SerialEvents events;

  // guarded by lock
  private State state = State.NEW;
  private @Nullable Throwable failure;
  private boolean stopRequested;
  private @Nullable Throwable stopCause;

  /**
   * @param name names the service in messages, e.g. {@code Agent 'architect-001'}; asked for
   *     lazily (a subclass's fields may not be set yet while it is constructed)
   */
  protected ServiceLifecycle(Supplier<String> name) {
    this.name = Objects.requireNonNull(name, "name");
    this.events = new SerialEvents(getClass().getName());
  }

  /** Told of each state transition; see the class comment for when. */
  @FunctionalInterface
  public interface Listener {
    /** @param failure the cause when {@code to} is FAILED, otherwise null */
    void onTransition(State from, State to, @Nullable Throwable failure);
  }

  // ------------------------------------------------------------------ for the subclass

  /**
   * Begins starting; called once, in STARTING. Must lead to {@link #notifyStarted()} or {@link
   * #notifyFailed(Throwable)}.
   */
  protected abstract void doStart();

  /**
   * Begins stopping; called once, in STOPPING. Must lead to {@link #notifyStopped()} or {@link
   * #notifyFailed(Throwable)}.
   *
   * @param cause why it stops when it was {@linkplain #failAsync failed}, null for an asked-for
   *     stop; with a cause, the service ends FAILED however the stop ends
   */
  protected abstract void doStop(@Nullable Throwable cause);

  /**
   * The start succeeded: RUNNING, or straight on to STOPPING (and {@code doStop}) if a stop was
   * asked for meanwhile.
   *
   * @throws IllegalStateException unless STARTING
   */
  protected final void notifyStarted() {
    boolean stopNow;
    synchronized (lock) {
      requireState(State.STARTING, "notifyStarted");
      stopNow = stopRequested;
      transition(stopNow ? State.STOPPING : State.RUNNING, null);
    }
    events.dispatch();
    if (stopNow) {
      callDoStop(null);
    }
  }

  /**
   * The stop is done: TERMINATED, or FAILED with the cause it was {@linkplain #failAsync failed}
   * with.
   *
   * @throws IllegalStateException unless STOPPING
   */
  protected final void notifyStopped() {
    synchronized (lock) {
      requireState(State.STOPPING, "notifyStopped");
      transition(stopCause == null ? State.TERMINATED : State.FAILED, stopCause);
    }
    events.dispatch();
  }

  /**
   * The start, the work or the stop failed: FAILED with {@code cause} (added as suppressed to the
   * cause the service was {@linkplain #failAsync failed} with, if any, which stays the cause).
   *
   * @throws IllegalStateException if NEW or already TERMINATED or FAILED
   */
  protected final void notifyFailed(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    synchronized (lock) {
      if (state == State.NEW || state.isTerminal()) {
        throw new IllegalStateException(name.get() + " cannot fail when " + state, cause);
      }
      Throwable first = cause;
      if (stopCause != null) {
        first = stopCause;
        if (first != cause) {
          first.addSuppressed(cause);
        }
      }
      transition(State.FAILED, first);
    }
    events.dispatch();
  }

  // ------------------------------------------------------------------ for its users

  /** Begins starting if NEW (calling {@link #doStart()}); otherwise does nothing. */
  public final ServiceLifecycle startAsync() {
    synchronized (lock) {
      if (state != State.NEW) {
        return this;
      }
      transition(State.STARTING, null);
    }
    events.dispatch();
    try {
      doStart();
    } catch (Throwable e) {
      failAfterThrow("doStart", e);
    }
    return this;
  }

  /** Begins stopping, as the class comment says. Idempotent. */
  public final ServiceLifecycle stopAsync() {
    boolean callStop = false;
    synchronized (lock) {
      switch (state) {
        case NEW -> transition(State.TERMINATED, null);
        case STARTING -> stopRequested = true;
        case RUNNING -> {
          transition(State.STOPPING, null);
          callStop = true;
        }
        default -> {
          // stopping already, or done
        }
      }
    }
    events.dispatch();
    if (callStop) {
      callDoStop(null);
    }
    return this;
  }

  /**
   * Stops because of {@code cause}, if RUNNING: STOPPING, {@code doStop(cause)}, and FAILED at
   * the end with {@code cause}. For a failure of the service's own work while it runs.
   *
   * @return false, doing nothing, unless it was RUNNING (it is stopping already, say)
   */
  public final boolean failAsync(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    synchronized (lock) {
      if (state != State.RUNNING) {
        return false;
      }
      stopCause = cause;
      transition(State.STOPPING, null);
    }
    events.dispatch();
    callDoStop(cause);
    return true;
  }

  public final State state() {
    synchronized (lock) {
      return state;
    }
  }

  public final boolean isRunning() {
    return state() == State.RUNNING;
  }

  /** Why it FAILED, or null when it has not. */
  public final @Nullable Throwable failureCause() {
    synchronized (lock) {
      return failure;
    }
  }

  /** Adds a listener for the transitions from now on. */
  public final void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Waits for RUNNING.
   *
   * @throws IllegalStateException if it reaches a state from which RUNNING is unreachable (the
   *     cause is the failure, if any)
   * @throws TimeoutException if {@code timeout} passes first
   */
  public final void awaitRunning(Duration timeout) throws TimeoutException {
    await(timeout, State.RUNNING);
  }

  /**
   * Waits for TERMINATED.
   *
   * @throws IllegalStateException if it FAILED instead (the cause is the failure)
   * @throws TimeoutException if {@code timeout} passes first
   */
  public final void awaitTerminated(Duration timeout) throws TimeoutException {
    await(timeout, State.TERMINATED);
  }

  @Override
  public String toString() {
    return name.get() + " [" + state() + "]";
  }

  // ------------------------------------------------------------------ internals

  private void callDoStop(@Nullable Throwable cause) {
    try {
      doStop(cause);
    } catch (Throwable e) {
      failAfterThrow("doStop", e);
    }
  }

  private void failAfterThrow(String hook, Throwable e) {
    log.error("{}: {} threw", name.get(), hook, e);
    synchronized (lock) {
      if (state.isTerminal()) {
        return; // it reported its outcome, then threw anyway
      }
    }
    notifyFailed(e);
    if (e instanceof VirtualMachineError vme) {
      throw vme;
    }
  }

  private void await(Duration timeout, State target) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    State reached;
    Throwable failed;
    try {
      synchronized (lock) {
        while (true) {
          reached = state;
          failed = failure;
          if (reached == target || reached == State.FAILED
              || (target == State.RUNNING && reached.compareTo(target) > 0)) {
            break;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException(name.get() + " did not become " + target + " within "
                + timeout + "; it is " + reached);
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    // listeners hear of a transition before anyone waiting for it returns
    events.dispatch();
    if (reached != target) {
      throw new IllegalStateException(name.get() + " is " + reached + " and will not become "
          + target + (failed != null ? " (it failed: " + failed + ")" : ""), failed);
    }
  }

  /** Called with {@code lock} held. */
  private void requireState(State expected, String call) {
    if (state != expected) {
      throw new IllegalStateException(call + "() on " + name.get() + " when " + state
          + ", not " + expected);
    }
  }

  /** Called with {@code lock} held; the caller dispatches the events once it let go. */
  private void transition(State to, @Nullable Throwable cause) {
    State from = state;
    state = to;
    Throwable told = to == State.FAILED ? cause : null;
    if (to == State.FAILED) {
      failure = cause;
    }
    lock.notifyAll();
    log.debug("{}: {} -> {}", name.get(), from, to);
    for (Listener l : listeners) {
      events.enqueue(() -> l.onTransition(from, to, told));
    }
  }
}
