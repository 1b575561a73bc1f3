/**
 * The NATS transport: {@link io.agentbus.transport.nats.NatsTransport} implements {@link
 * io.agentbus.spi.Transport} on the jnats client, configured by {@link
 * io.agentbus.transport.nats.NatsTransportConfig} from code, system properties or environment
 * variables. No jnats type appears in this package's public API.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.transport.nats;

import org.jspecify.annotations.NullMarked;
