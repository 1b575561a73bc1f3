package io.agentbus.transport.inmemory;

import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.time.Instant;

/**
 * One delivery of a stored message to a worker: the handle its handler settles it with. Settling
 * is the consumer's bookkeeping; this handle only checks that the transport is still open.
 */
final class DeliveredMessage implements StoredMessage {
  private final StreamSession session;
  private final DurableConsumer consumer;
  private final StoredStream.Entry entry;
  private final DurableConsumer.Pending pending;
  private final TransportMessage message;

  DeliveredMessage(StreamSession session, DurableConsumer consumer, StoredStream.Entry entry,
      DurableConsumer.Pending pending) {
    this.session = session;
    this.consumer = consumer;
    this.entry = entry;
    this.pending = pending;
    this.message = new TransportMessage(entry.subject, null, entry.headers, entry.payload);
  }

  @Override
  public TransportMessage message() {
    return message;
  }

  @Override
  public String stream() {
    return consumer.stream.spec.name();
  }

  @Override
  public long sequence() {
    return entry.seq;
  }

  @Override
  public Instant storedAt() {
    return entry.storedAt;
  }

  @Override
  public int deliveryCount() {
    return pending.deliveryCount;
  }

  @Override
  public void ack() {
    session.checkOpen();
    consumer.ack(entry.seq);
  }

  @Override
  public void retryAfter(Duration delay) {
    session.checkOpen();
    consumer.retryAfter(pending, delay);
  }

  @Override
  public void inProgress() {
    session.checkOpen();
    consumer.inProgress(pending);
  }

  @Override
  public String toString() {
    return "StoredMessage{" + stream() + "#" + entry.seq + ", delivery " + deliveryCount() + "}";
  }
}
