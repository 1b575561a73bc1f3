package io.agentbus.cli;

import java.time.Instant;
import java.util.List;

/**
 * Where the command line learns which agents exist. Today {@link AgentTracker} (heartbeats
 * and status updates, as the seed's orchestrator monitor does); a directory answering from the
 * discovery protocol plugs in here without changing the commands.
 */
interface AgentSource extends AutoCloseable {
  /** Starts following the mesh; {@code onChange} runs when an agent appears or reports. */
  void start(Runnable onChange);

  /**
   * Learns the agents present now without waiting for them to speak (kept heartbeats, a discovery
   * query), after {@link #start}. Returns false when it cannot: the caller then listens.
   */
  default boolean catchUp(Session session) throws InterruptedException {
    return false;
  }

  /** The agents known now, by id, with their state as of {@code now}. */
  List<AgentView> agents(Instant now);

  @Override
  void close();
}
