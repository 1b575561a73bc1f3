/**
 * AgentBus configuration: {@link io.agentbus.agent.config.AgentBusConfig}, loaded from system
 * properties, environment variables and an {@code agentbus.properties} file; every key is listed in
 * {@link io.agentbus.agent.config.ConfigKey}.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.agent.config;

import org.jspecify.annotations.NullMarked;
