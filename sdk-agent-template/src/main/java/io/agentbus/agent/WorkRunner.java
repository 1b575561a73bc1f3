package io.agentbus.agent;

import io.agentbus.agent.internal.AgentThreads;
import io.agentbus.agent.internal.ServiceLifecycle;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an agent's {@link WorkLoop} on its own thread while the agent runs: a loop that fails
 * while the agent is RUNNING fails the agent; stopping interrupts the loop and waits for it.
 * Thread-safe.
 */
final class WorkRunner {
  private static final Logger log = LoggerFactory.getLogger(WorkRunner.class);

  private final String agentId;
  private final ServiceLifecycle lifecycle;
  private final Duration joinTimeout;

  private final Object lock = new Object();
  private @Nullable Thread thread; // guarded by lock
  private boolean stopped; // guarded by lock

  WorkRunner(String agentId, ServiceLifecycle lifecycle, Duration joinTimeout) {
    this.agentId = agentId;
    this.lifecycle = lifecycle;
    this.joinTimeout = joinTimeout;
  }

  /** Starts {@code loop}, unless the agent is no longer RUNNING or {@link #stop()} came first. */
  void start(WorkLoop loop) {
    synchronized (lock) {
      if (stopped || !lifecycle.isRunning()) {
        return;
      }
      Thread t = AgentThreads.newThread(agentId, "work", () -> run(loop));
      thread = t;
      t.start();
    }
  }

  /** Interrupts the loop and waits for it, up to the join timeout. Idempotent. */
  void stop() {
    Thread t;
    synchronized (lock) {
      stopped = true;
      t = thread;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    t.interrupt();
    try {
      t.join(joinTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      log.warn("The work loop of agent '{}' did not end within {} of being interrupted; the "
          + "agent stops without it (thread '{}' is left running)", agentId, joinTimeout,
          t.getName());
    }
  }

  private void run(WorkLoop loop) {
    try {
      loop.run();
      log.debug("The work loop of agent '{}' returned; the agent keeps running", agentId);
    } catch (Throwable e) {
      if (lifecycle.failAsync(e)) {
        log.error("The work loop of agent '{}' failed; stopping the agent", agentId, e);
      } else if (e instanceof InterruptedException) {
        log.debug("The work loop of agent '{}' ended on interruption while stopping", agentId);
      } else {
        log.warn("The work loop of agent '{}' threw while the agent was stopping", agentId, e);
      }
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
    }
  }
}
