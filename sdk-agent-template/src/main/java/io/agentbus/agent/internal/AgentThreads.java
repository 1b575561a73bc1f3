package io.agentbus.agent.internal;

/**
 * Where the template's own threads come from: named {@code agentbus-<owner>-<role>} (as in {@code
 * agentbus-parser-dev-001-work}), so a thread dump says whose they are and what they do.
 *
 * <p>They are not daemon threads, on purpose: an agent's start, stop and work-loop threads keep
 * the JVM alive while the agent works after {@code main} returned, and let a stop that began
 * finish announcing the agent offline. Each ends with its task; a work loop ends when stopping
 * interrupts it, so stopped agents leave no thread behind. Shutdown hooks are created here too,
 * for the name (the JVM ignores the daemon flag of a hook).
 */
public final class AgentThreads {
  private AgentThreads() {}

  /**
   * A new, unstarted, non-daemon thread running {@code task}.
   *
   * @param owner the agent's id, or what else owns the thread ({@code host})
   * @param role what the thread does ({@code start}, {@code stop}, {@code work}, {@code shutdown})
   */
  public static Thread newThread(String owner, String role, Runnable task) {
    Thread t = new Thread(task, "agentbus-" + owner + "-" + role);
    t.setDaemon(false);
    return t;
  }
}
