/**
 * AgentBus: messaging for autonomous agents. Start with {@link io.agentbus.MessageBus}; messages
 * are {@link io.agentbus.AgentMessage}s on the {@link io.agentbus.Subjects} hierarchy.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus;

import org.jspecify.annotations.NullMarked;
