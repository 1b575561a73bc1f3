/**
 * Guice wiring for AgentBus: {@link io.agentbus.guice.AgentBusModule} binds what {@link
 * io.agentbus.agent.config.AgentBusConfig} describes. Modules only bind; the transport connects
 * when the bus is first provisioned, and {@link io.agentbus.agent.AgentHost} closes it. Optional:
 * {@code AgentBusConfig.newMessageBus()} builds the same bus without Guice.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.guice;

import org.jspecify.annotations.NullMarked;
