package io.agentbus;

import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one {@link MessageBus} puts what it could not handle: the namespace's dead-letter subject
 * ({@link Subjects#deadLetter()}), with the error and the original subject in headers. Messages
 * of core subscriptions are published there; items of durable queues are stored there (and only
 * removed from their queue once stored). The one place that writes dead letters, and counts them.
 * Thread-safe.
 */
final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final String subject;
  private final PublishPath publisher;
  private final BusStreams streams;
  private final BusMetrics metrics;
  private final DeadLetterGuard guard;

  DeadLetters(Subjects subjects, PublishPath publisher, BusStreams streams, BusMetrics metrics,
      long maxPayload) {
    this.subject = subjects.deadLetter();
    this.publisher = publisher;
    this.streams = streams;
    this.metrics = metrics;
    this.guard = new DeadLetterGuard(publisher.scheduler(), maxPayload);
  }

  /**
   * Publishes {@code raw} to the dead-letter subject with {@code error}, unless its source subject
   * (or the bus) is over its dead-letter rate ({@link DeadLetterGuard}); the payload is cut to what
   * fits under max payload, with the original's size and digest in headers. Never throws: a
   * failure is logged and counted in {@link BusStats#deadLetterFailures()}.
   *
   * @return false when it was held back by the rate limit (counted in {@link
   *     BusStats#deadLettersHeldBack()}), true otherwise
   */
  boolean publish(TransportMessage raw, String error) {
    if (raw.subject().equals(subject)) {
      log.error("A dead letter itself failed ({}); not republishing it to avoid a loop", error);
      metrics.deadLetterFailures.increment();
      return true;
    }
    if (!guard.admit(raw.subject())) {
      metrics.deadLettersHeldBack.increment();
      return false;
    }
    try {
      DeadLetterGuard.Shaped dl = guard.fit(headers(raw, error), raw.payload(), error,
          raw.subject());
      publisher.send(subject, null, dl.headers(), dl.payload());
      metrics.deadLettered.increment();
      publisher.notifyDeadLetter(raw, error);
    } catch (RuntimeException e) {
      metrics.deadLetterFailures.increment();
      log.error("Could not dead-letter a message from '{}' ({}); it is counted in "
          + "BusStats.deadLetterFailures: {}", raw.subject(), error, e.toString());
    }
    return true;
  }

  /**
   * Stores the dead letter of a durable queue's item, under a message id derived from the item's
   * so that a retried store keeps one copy, and waits for the store to confirm.
   *
   * @return the id it was stored under
   * @throws Exception what the store failed with (counted in the bus's and the queue's
   *     dead-letter failures); the caller keeps the item queued
   */
  String store(StoredMessage stored, String error, BusMetrics.Queue queue, Duration timeout)
      throws Exception {
    TransportMessage raw = stored.message();
    // unique in the one dead-letter stream that every queue shares, and the same for every try
    // to store this item's dead letter, so that a retried store keeps one copy
    String original = stored.messageId();
    String id = stored.stream() + "/" + (original != null ? original : "seq-" + stored.sequence());
    Headers.Builder b = headers(raw, error)
        .set(Headers.DELIVERY_COUNT, Integer.toString(stored.deliveryCount()))
        .set(Headers.ORIGINAL_STREAM, stored.stream())
        .set(Headers.ORIGINAL_SEQUENCE, Long.toString(stored.sequence()))
        .set(Headers.MESSAGE_ID, id);
    if (original != null) {
      b.set(Headers.ORIGINAL_MESSAGE_ID, original);
    }
    Headers headers = b.build();
    try {
      streams.storeDeadLetter(subject, headers, raw.payload(), id, timeout);
    } catch (Exception e) {
      metrics.deadLetterFailures.increment();
      queue.deadLetterFailures.increment();
      throw e;
    }
    metrics.deadLettered.increment();
    queue.deadLettered.increment();
    publisher.notifyDeadLetter(raw, error);
    return id;
  }

  private static Headers.Builder headers(TransportMessage raw, String error) {
    return raw.headers().toBuilder()
        .set(Headers.ERROR, PublishPath.singleLine(error))
        .set(Headers.ORIGINAL_SUBJECT, raw.subject());
  }
}
