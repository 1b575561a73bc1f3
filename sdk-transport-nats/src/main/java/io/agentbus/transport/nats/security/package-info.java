/**
 * Least privilege on NATS, derived from the subject hierarchy: {@link
 * io.agentbus.transport.nats.security.AgentRole} declares what the agents of one NATS identity do
 * (their ids, teams, the queues they work and publish to, the broadcasts they send and listen to,
 * the agents they address), and {@link io.agentbus.transport.nats.security.NatsAuthorization}
 * turns a set of roles into the nats-server {@code authorization} block with one NKey user per
 * identity, its allow lists and seed files. {@code docs/security.md} shows the commands.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.transport.nats.security;

import org.jspecify.annotations.NullMarked;
