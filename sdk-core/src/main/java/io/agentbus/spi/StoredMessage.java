package io.agentbus.spi;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A message delivered from a persistent stream, with its store metadata and the means to settle
 * it. Settle each delivery once: {@link #ack()} when done with it, or {@link #retryAfter} to have
 * it delivered again. Thread-safe.
 */
public interface StoredMessage {

  /** Subject, headers and payload as published. {@code replyTo} is always null. */
  TransportMessage message();

  /** The stream it is stored in. */
  String stream();

  /** Its stream sequence: unique in the stream, increasing in store order. */
  long sequence();

  /** When the store accepted it. */
  Instant storedAt();

  /** 1 on the first delivery, then one more on each redelivery of the same stored message. */
  int deliveryCount();

  /** The de-duplication id it was published with ({@link io.agentbus.Headers#MESSAGE_ID}), or null. */
  default @Nullable String messageId() {
    return message().headers().first(io.agentbus.Headers.MESSAGE_ID);
  }

  /**
   * Acknowledges it and waits until the store has confirmed: the message will not be delivered
   * again (a work-queue stream removes it).
   *
   * @throws io.agentbus.TransportException (retriable) if the store did not confirm in time; the
   *     message may then be delivered again after the ack wait
   */
  void ack();

  /** Releases it for redelivery after {@code delay} ({@link Duration#ZERO}: at once). */
  void retryAfter(Duration delay);

  /** Tells the store it is still being worked on: its ack wait starts again. */
  void inProgress();
}
