package io.agentbus.agent.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A change in an agent's {@link Liveness}, told to {@link MonitorListener}s.
 *
 * @param kind what happened
 * @param agentId the agent
 * @param at the monitor's clock when it happened (for {@link Kind#DEAD}: exactly the last sign of
 *     life plus the dead-after period)
 * @param status the agent's status right after the change
 */
public record AgentEvent(Kind kind, String agentId, Instant at, AgentStatus status) {

  public AgentEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(status, "status");
  }

  /** The kinds of change. */
  public enum Kind {
    /** First heard of, or heard of again after it went offline. */
    JOINED,
    /** Silent for the dead-after period. Told once per silence. */
    DEAD,
    /** Heard from again after being marked dead. */
    RECOVERED,
    /** Announced it was going offline. */
    LEFT
  }
}
