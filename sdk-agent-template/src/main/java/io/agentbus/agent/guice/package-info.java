/**
 * Guice wiring: {@link io.agentbus.agent.guice.AgentBusModule} reads {@link
 * io.agentbus.agent.config.AgentBusConfig} and installs one transport module and one codec module.
 * Modules only bind; connections are made by {@code @Provides @Singleton} providers when first
 * needed, and closed by {@link io.agentbus.agent.AgentHost}.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.guice;

import org.jspecify.annotations.NullMarked;
