package io.agentbus.agent.monitor;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of what the {@link OrchestratorMonitor} knows about one agent. Times are the
 * monitor's clock when it received the message, not the sender's timestamp.
 *
 * @param agentId the agent
 * @param liveness alive, dead or offline
 * @param firstSeen when the monitor first heard of it
 * @param lastSeen when it last heard from it (any message)
 * @param lastHeartbeat when it last received a heartbeat from it, or null if none yet
 * @param lastStatus the {@code content.status} of its last heartbeat or status update that had one
 *     (e.g. {@code alive}, {@code completed}, {@code offline}), or null
 * @param lastStatusContent the whole content of its last status update, or empty
 * @param deadSince when it was marked dead, or null unless {@link Liveness#DEAD}
 */
public record AgentStatus(
    String agentId,
    Liveness liveness,
    Instant firstSeen,
    Instant lastSeen,
    @Nullable Instant lastHeartbeat,
    @Nullable String lastStatus,
    Map<String, @Nullable Object> lastStatusContent,
    @Nullable Instant deadSince) {

  public AgentStatus {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(firstSeen, "firstSeen");
    Objects.requireNonNull(lastSeen, "lastSeen");
    Objects.requireNonNull(lastStatusContent, "lastStatusContent");
  }

  public boolean isAlive() {
    return liveness == Liveness.ALIVE;
  }
}
