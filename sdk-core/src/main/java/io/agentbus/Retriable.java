package io.agentbus;

/**
 * Marks an {@link AgentBusException} whose operation may succeed if retried unchanged: the peer
 * may come up, the connection may come back, the reply may arrive next time.
 */
public interface Retriable {}
