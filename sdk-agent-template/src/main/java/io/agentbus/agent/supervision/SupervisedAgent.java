package io.agentbus.agent.supervision;

import io.agentbus.Agent;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One agent under a {@link Supervisor}: the instance running now, how often it was restarted, its
 * last failure, and whether the supervisor gave up on it.
 *
 * <p>Thread-safe.
 */
public final class SupervisedAgent {
  /** Where a supervised agent is. */
  public enum Status {
    /** An instance is starting or running. */
    RUNNING,
    /** The last instance failed; the next one starts after the backoff. */
    RESTARTING,
    /** Failed more often than the policy allows: it stays failed, and a blocker was broadcast. */
    FAILED,
    /** Ended on its own without failing, or stopped with the supervisor: not restarted. */
    STOPPED
  }

  private final Supplier<? extends Agent> factory;
  private final RestartPolicy policy;

  private final Object lock = new Object();
  // guarded by lock
  private Agent current;
  private Status status = Status.RUNNING;
  private int restarts;
  private final Deque<Instant> recent = new ArrayDeque<>();
  private @Nullable Throwable lastFailure;
  private Scheduler.@Nullable Cancellable pending;

  SupervisedAgent(Supplier<? extends Agent> factory, RestartPolicy policy, Agent first) {
    this.factory = factory;
    this.policy = policy;
    this.current = first;
  }

  /** The agent's id (that of its current instance). */
  public String id() {
    return current().id();
  }

  /** The instance running now, or the last one. */
  public Agent current() {
    synchronized (lock) {
      return current;
    }
  }

  /** Its status. */
  public Status status() {
    synchronized (lock) {
      return status;
    }
  }

  /** How many times it was restarted in all. */
  public int restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  /** The cause of its last failure, or null if it never failed. */
  public @Nullable Throwable lastFailure() {
    synchronized (lock) {
      return lastFailure;
    }
  }

  /** The policy it is supervised with. */
  public RestartPolicy policy() {
    return policy;
  }

  /**
   * Waits until its status is {@code wanted} (in real time).
   *
   * @throws TimeoutException if it is not within {@code timeout}
   */
  public void awaitStatus(Status wanted, Duration timeout)
      throws TimeoutException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (status != wanted) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("Agent '" + current.id() + "' is " + status + ", not "
              + wanted + ", after " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SupervisedAgent{" + current.id() + ", " + status + ", restarts=" + restarts + "}";
    }
  }

  // ------------------------------------------------------------------ from Supervisor

  Object lock() {
    return lock;
  }

  Supplier<? extends Agent> factory() {
    return factory;
  }

  /** Under lock: whether {@code agent} is the current instance. */
  boolean isCurrent(Agent agent) {
    return current == agent;
  }

  /**
   * Under lock: records a failure at {@code now}; returns the backoff before the restart, or null
   * when the policy allows no more restarts (the status is then FAILED).
   */
  @Nullable Duration failed(Throwable cause, Instant now) {
    lastFailure = cause;
    Instant since = now.minus(policy.window());
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(since)) {
      recent.removeFirst();
    }
    if (recent.size() >= policy.maxRestarts()) {
      set(Status.FAILED);
      return null;
    }
    set(Status.RESTARTING);
    return policy.backoff(recent.size());
  }

  /** Under lock: the number of restarts within the window, as of the last failure. */
  int recentRestarts() {
    return recent.size();
  }

  /** Under lock. */
  void pending(Scheduler.@Nullable Cancellable timer) {
    pending = timer;
  }

  /** Under lock: a new instance replaces the failed one. */
  void restarted(Agent next, Instant now) {
    current = next;
    restarts++;
    recent.addLast(now);
    pending = null;
    set(Status.RUNNING);
  }

  /** Under lock: cancels a pending restart; returns the current instance. */
  Agent stop() {
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    if (status != Status.FAILED) {
      set(Status.STOPPED);
    }
    return current;
  }

  /** Under lock. */
  void set(Status s) {
    status = s;
    lock.notifyAll();
  }
}
