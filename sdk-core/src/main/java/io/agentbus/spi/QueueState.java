package io.agentbus.spi;

/**
 * A work-queue stream and one of its durable consumers as the store sees them at one moment (see
 * {@link DurableStreams#queueState}): what every process sharing the queue has left to do, not
 * what one process has counted.
 *
 * @param stream the stream's name
 * @param consumer the durable consumer's name
 * @param stored messages the stream holds; for a work-queue stream, the items not yet
 *     acknowledged (waiting plus pending acknowledgement)
 * @param consumerExists false when no worker has created the consumer yet; its counts are then
 *     zero
 * @param waiting stored messages the consumer's filter matches that it has not delivered yet
 *     (NATS: {@code num_pending})
 * @param pendingAcks messages the consumer delivered that are not acknowledged yet, including
 *     those waiting for their redelivery (NATS: {@code num_ack_pending})
 * @param redelivered of the pending acknowledgements, messages delivered more than once (NATS:
 *     {@code num_redelivered})
 */
public record QueueState(String stream, String consumer, long stored, boolean consumerExists,
    long waiting, long pendingAcks, long redelivered) {}
