/**
 * The in-memory transport: NATS semantics (subjects, wildcards, queue groups, request/reply
 * through inboxes, no-responders, payload limits, slow consumers) without a server process. It is
 * the embedded default and the transport for unit tests; several {@link
 * io.agentbus.transport.inmemory.InMemoryTransport}s connected to one {@link
 * io.agentbus.transport.inmemory.InMemoryServer} behave like several NATS connections to one
 * server.
 *
 * <p>Everything in this package is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package io.agentbus.transport.inmemory;

import org.jspecify.annotations.NullMarked;
