package io.agentbus.spi;

/**
 * Transport counters since creation. Core NATS is at-most-once; these figures are how a user
 * sees what did not arrive instead of having it hidden.
 *
 * @param published messages accepted by {@link Transport#publish}
 * @param delivered messages handed to subscription handlers
 * @param dropped messages discarded: slow consumers, closed subscriptions, failed reconnect buffer
 * @param handlerFailures handler invocations that threw
 * @param slowConsumerEvents times a subscription overflowed its pending limit
 * @param reconnects successful reconnects (always 0 in memory)
 */
public record TransportStats(
    long published,
    long delivered,
    long dropped,
    long handlerFailures,
    long slowConsumerEvents,
    long reconnects) {}
