/**
 * The {@code agentbus} command line: an operator's view of a running mesh (live agents, the
 * messages flowing, dead letters, durable queues) and a way to talk to it (send, request, replay).
 * {@link io.agentbus.cli.AgentBusCli} is the entry point; everything else is package-private.
 */
@NullMarked
package io.agentbus.cli;

import org.jspecify.annotations.NullMarked;
