package io.agentbus;

/**
 * Counters of one work queue in one {@link MessageBus}, since the bus was built. Every delivery
 * ends in exactly one of: handled, a handler failure (then retried or dead-lettered), a
 * suppressed duplicate, or deferred (another worker of this bus was still handling the same
 * item).
 *
 * <p>An outcome is counted after the store has been told of it: once {@code handled} or {@code
 * deadLettered} shows an item, its acknowledgement has been sent, and once {@code retried} shows
 * it, its redelivery has been requested with the backoff delay. A test or a dashboard that waits
 * for a count can rely on that order.
 *
 * @param published items published by this bus (stored, for a durable queue)
 * @param publishDuplicates publishes the store recognised as already stored
 * @param publishRetries publish attempts repeated after a failure (reconnects)
 * @param delivered deliveries taken from the transport by this bus's workers
 * @param redelivered of those, deliveries of an item delivered before
 * @param handled deliveries whose handler returned normally
 * @param handlerFailures deliveries whose handler threw
 * @param retried items released for redelivery after a failure
 * @param duplicatesSuppressed redelivered copies of items already handled here, acknowledged
 *     without calling the handler
 * @param deferred deliveries of an item still being handled by another worker here
 * @param deadLettered items moved to the dead-letter subject
 * @param deadLetterFailures dead letters that could not be stored (the item stays queued)
 * @param ackFailures acknowledgements the store did not confirm (the item may come back and is
 *     then suppressed as a duplicate)
 */
public record QueueStats(
    long published,
    long publishDuplicates,
    long publishRetries,
    long delivered,
    long redelivered,
    long handled,
    long handlerFailures,
    long retried,
    long duplicatesSuppressed,
    long deferred,
    long deadLettered,
    long deadLetterFailures,
    long ackFailures) {}
