/**
 * Supervision of agents: a {@link io.agentbus.agent.supervision.Supervisor} restarts an agent
 * whose start or work loop failed, with exponential backoff, up to a number of restarts within a
 * window ({@link io.agentbus.agent.supervision.RestartPolicy}); past it the agent stays failed and
 * a {@code blocker} broadcast says which agent and why.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.supervision;

import org.jspecify.annotations.NullMarked;
