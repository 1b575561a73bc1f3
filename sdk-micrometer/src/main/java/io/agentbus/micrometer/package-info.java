/**
 * Micrometer metrics of an AgentBus bus: {@link io.agentbus.micrometer.AgentBusMetrics} counts
 * messages by type and times requests and handlers; {@link io.agentbus.micrometer.BusMeterBinder}
 * binds a bus's counters, its transport's connection state and its queues. Switched on with {@code
 * agentbus.metrics=micrometer}; see docs/observability.md.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.micrometer;

import org.jspecify.annotations.NullMarked;
