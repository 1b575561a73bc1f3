package io.agentbus.agent.internal;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the template's own threads come from: named {@code agentbus-<owner>-<role>} (as in {@code
 * agentbus-parser-dev-001-work}), so a thread dump says whose they are and what they do.
 *
 * <p>They are not daemon threads, on purpose: an agent's start, stop and work-loop threads keep
 * the JVM alive while the agent works after {@code main} returned, and let a stop that began
 * finish announcing the agent offline. Each ends with its task; a work loop ends when stopping
 * interrupts it, so stopped agents leave no thread behind. Shutdown hooks are created here too,
 * for the name (the JVM ignores the daemon flag of a hook).
 *
 * <p>Starts and stops, which are short, {@linkplain #runTransition run} on threads shared by every
 * agent of the process: a thread is created only when none is free, carries the agent's name
 * while it works for it ({@code agentbus-<id>-start}), and ends after {@value #IDLE_SECONDS}
 * second idle. Starting 10,000 agents so creates a few hundred threads, not 10,000 (and stopping
 * them as many again), which was a third of the time it took.
 */
public final class AgentThreads {
  /** How long an idle start/stop thread waits for more work before it ends. */
  static final int IDLE_SECONDS = 1;
  private static final String IDLE_NAME = "agentbus-lifecycle-";
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ThreadPoolExecutor TRANSITIONS = new ThreadPoolExecutor(0,
      Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, IDLE_NAME + COUNT.incrementAndGet());
        t.setDaemon(false);
        return t;
      });

  private AgentThreads() {}

  /**
   * A new, unstarted, non-daemon thread running {@code task}.
   *
   * @param owner the agent's id, or what else owns the thread ({@code host})
   * @param role what the thread does ({@code work}, {@code shutdown})
   */
  public static Thread newThread(String owner, String role, Runnable task) {
    Thread t = new Thread(task, name(owner, role));
    t.setDaemon(false);
    return t;
  }

  /**
   * Runs a start or stop on a shared non-daemon thread named {@code agentbus-<owner>-<role>} for
   * as long as it runs. The task must not rely on its thread afterwards (no thread locals left,
   * its interrupt status is cleared).
   */
  public static void runTransition(String owner, String role, Runnable task) {
    String name = name(owner, role);
    TRANSITIONS.execute(() -> {
      Thread me = Thread.currentThread();
      String idle = me.getName();
      me.setName(name);
      try {
        task.run();
      } finally {
        Thread.interrupted();
        me.setName(idle);
      }
    });
  }

  private static String name(String owner, String role) {
    return "agentbus-" + owner + "-" + role;
  }
}
