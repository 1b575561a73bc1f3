/**
 * OpenTelemetry tracing of AgentBus messages: {@link io.agentbus.opentelemetry.AgentBusTracing}
 * carries the W3C trace context (and baggage) in message headers and makes the messaging spans of
 * OpenTelemetry's semantic conventions. Switched on with {@code agentbus.tracing=otel}; see
 * docs/observability.md.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.opentelemetry;

import org.jspecify.annotations.NullMarked;
