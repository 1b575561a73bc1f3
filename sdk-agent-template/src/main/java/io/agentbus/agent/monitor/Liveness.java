package io.agentbus.agent.monitor;

/** What the {@link OrchestratorMonitor} believes about an agent. */
public enum Liveness {
  /** Heard from within the dead-after period. */
  ALIVE,
  /** Silent for the dead-after period or longer, without saying it was leaving. */
  DEAD,
  /** Announced it was going offline (a {@code status_update} with {@code "status": "offline"}). */
  OFFLINE
}
