package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.TransportMessage;
import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

/**
 * A delivered JetStream message, as a worker or a replay hands it to the bus: its metadata read
 * once, and its settlement (ack, delayed NAK, in progress) with jnats' errors translated. Holds
 * the shared {@link JetStreamContext} and nothing else of the streams, so it costs what the inner
 * class it replaces did.
 */
final class JetStreamStoredMessage implements StoredMessage {
  private final JetStreamContext context;
  private final Message m;
  private final NatsJetStreamMetaData meta;
  private final TransportMessage message;

  JetStreamStoredMessage(JetStreamContext context, Message m) {
    this.context = context;
    this.m = m;
    this.meta = m.metaData();
    TransportMessage raw = HeaderMapping.fromNats(m);
    this.message = new TransportMessage(raw.subject(), null, raw.headers(), raw.payload());
  }

  @Override
  public TransportMessage message() {
    return message;
  }

  @Override
  public String stream() {
    return meta.getStream();
  }

  @Override
  public long sequence() {
    return meta.streamSequence();
  }

  @Override
  public Instant storedAt() {
    return meta.timestamp().toInstant();
  }

  @Override
  public int deliveryCount() {
    return (int) Math.min(Integer.MAX_VALUE, meta.deliveredCount());
  }

  @Override
  public void ack() {
    Duration apiTimeout = context.apiTimeout;
    try {
      m.ackSync(apiTimeout);
    } catch (TimeoutException e) {
      throw new TransportException("The server did not confirm the acknowledgement of item "
          + sequence() + " of '" + stream() + "' within " + apiTimeout.toMillis() + " ms"
          + context.outage(), e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while acknowledging item " + sequence()
          + " of '" + stream() + "'", e, true);
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
    } catch (RuntimeException e) {
      throw new TransportException("Acknowledging item " + sequence() + " of '" + stream()
          + "' failed: " + e.getMessage(), e, true);
    }
  }

  @Override
  public void retryAfter(Duration delay) {
    try {
      if (delay.isZero() || delay.isNegative()) {
        m.nak();
      } else {
        m.nakWithDelay(delay);
      }
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
    }
  }

  @Override
  public void inProgress() {
    try {
      m.inProgress();
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
    }
  }

  @Override
  public String toString() {
    return "StoredMessage{" + stream() + "#" + sequence() + ", delivery " + deliveryCount()
        + "}";
  }
}
