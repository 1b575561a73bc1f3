package io.agentbus.transport.inmemory;

import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.time.Instant;

/** A replayed message: read only, so settling it does nothing. */
final class ReplayedMessage implements StoredMessage {
  private final StoredStream.Entry entry;
  private final String stream;

  ReplayedMessage(StoredStream.Entry entry, String stream) {
    this.entry = entry;
    this.stream = stream;
  }

  @Override
  public TransportMessage message() {
    return new TransportMessage(entry.subject, null, entry.headers, entry.payload);
  }

  @Override
  public String stream() {
    return stream;
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
    return 1;
  }

  @Override
  public void ack() {}

  @Override
  public void retryAfter(Duration delay) {}

  @Override
  public void inProgress() {}
}
