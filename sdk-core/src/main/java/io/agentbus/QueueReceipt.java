package io.agentbus;

import org.jspecify.annotations.Nullable;

/**
 * What became of a {@link MessageBus#publishToQueue(String, AgentMessage, String)}.
 *
 * @param queue the queue's name
 * @param messageId the message id it was published with; null for an at-most-once item sent
 *     without one ({@link AgentEndpoint#publishToQueue})
 * @param stored true when a durable queue's stream has stored it (or had already stored it: see
 *     {@code duplicate}); false for an at-most-once queue, where the item was only handed to the
 *     transport
 * @param stream the stream that stored it, or null for an at-most-once queue
 * @param sequence its stream sequence, or 0 when not known (at-most-once; some duplicates)
 * @param duplicate true when the id had already been stored within the duplicate window, so this
 *     publish stored nothing new
 */
public record QueueReceipt(
    String queue,
    @Nullable String messageId,
    boolean stored,
    @Nullable String stream,
    long sequence,
    boolean duplicate) {}
