/**
 * Discovery through the NATS micro service protocol (ADR-32): every agent answers {@code
 * $SRV.PING}, {@code $SRV.INFO} and {@code $SRV.STATS} ({@link io.agentbus.agent.discovery
 * .AgentService}), so {@code nats micro ls} and any NATS client can list them, and {@link
 * io.agentbus.agent.discovery.AgentDirectory} asks the bus which agents are there and what they
 * handle. Works the same on NATS and on the in-memory transport.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.discovery;

import org.jspecify.annotations.NullMarked;
