package io.agentbus;

/**
 * How a {@linkplain MessageBus#replay replay} went.
 *
 * @param delivered messages handed to the handler
 * @param handlerFailures of those, messages whose handler threw (logged; the replay goes on)
 * @param decodeFailures stored messages that could not be decoded (logged, skipped)
 * @param lastSequence the stream sequence of the last message seen, or 0 when none: pass it to
 *     {@link ReplayStart#afterSequence} to resume
 */
public record ReplayResult(
    long delivered, long handlerFailures, long decodeFailures, long lastSequence) {}
