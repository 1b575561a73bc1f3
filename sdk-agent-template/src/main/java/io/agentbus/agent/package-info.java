/**
 * The agent template: extend {@link io.agentbus.agent.AbstractAgent}, declare the agent's id,
 * teams and handlers, and the template subscribes, heartbeats, and cleans up. {@link
 * io.agentbus.agent.AgentHost} owns a shared {@link io.agentbus.MessageBus} and the agents on it.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent;

import org.jspecify.annotations.NullMarked;
