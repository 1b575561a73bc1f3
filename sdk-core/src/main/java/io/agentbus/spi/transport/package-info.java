/**
 * Helpers for {@link io.agentbus.spi.Transport} implementations: a supported, public API for
 * transport authors, used by AgentBus's own NATS and in-memory transports. Not meant for
 * application code.
 *
 * <ul>
 *   <li>{@link io.agentbus.spi.transport.SpinWait}: bounded, adaptive busy-waiting for a hand-off
 *       between two threads, cheaper than parking and waking a thread when the other side answers
 *       within microseconds.
 * </ul>
 *
 * <p>These follow the SPI's compatibility rule: methods may be added; existing ones change only in
 * a release that says so.
 */
@NullMarked
package io.agentbus.spi.transport;

import org.jspecify.annotations.NullMarked;
