package io.agentbus.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the command line knows of one agent, whichever {@link AgentSource} it came from.
 *
 * @param state alive, late (a heartbeat missed), dead (none for the dead-after time, 90 s by
 *     default: the orchestrator monitor's rule) or offline (it said so)
 * @param lastHeartbeat null if only other messages were seen
 * @param status the last {@code status} it reported ({@code alive}, {@code busy}, ...)
 * @param teams, handles, version as the agent announced them; empty or null when it did not
 */
record AgentView(String id, State state, Instant firstSeen, @Nullable Instant lastHeartbeat,
    Duration heartbeatAge, @Nullable String status, List<String> teams, List<String> handles,
    @Nullable String version) {

  enum State {
    ALIVE, LATE, DEAD, OFFLINE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
