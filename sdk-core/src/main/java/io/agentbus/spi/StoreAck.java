package io.agentbus.spi;

/**
 * The store's acknowledgement of {@link DurableStreams#publish}.
 *
 * @param stream the stream that stored the message
 * @param sequence the stream sequence it is stored under (for a duplicate: the sequence of the
 *     first copy, where the store reports it, else 0)
 * @param duplicate true when the message id was already stored within the duplicate window, so
 *     nothing new was stored
 */
public record StoreAck(String stream, long sequence, boolean duplicate) {}
