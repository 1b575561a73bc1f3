/**
 * A real NATS server for tests: {@link io.agentbus.test.nats.NatsServerExtension} provides one
 * from {@code NATS_URL}, from a {@code nats-server} binary it starts itself, or from a
 * Testcontainers container, and skips (or, under {@code CI=true}, fails) the tests when none is
 * available.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.test.nats;

import org.jspecify.annotations.NullMarked;
