package io.agentbus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one {@link MessageBus}: the bus-wide ones behind {@link BusStats} and each
 * queue's behind {@link QueueStats}. Every collaborator that accepts, hands on or fails a message
 * counts it here, so that no accepted message goes uncounted. Thread-safe.
 */
final class BusMetrics {
  final LongAdder published = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder handled = new LongAdder();
  final LongAdder handlerFailures = new LongAdder();
  final LongAdder decodeFailures = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder deadLetterFailures = new LongAdder();
  final LongAdder deadLettersHeldBack = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder repliesRefused = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder retrySucceeded = new LongAdder();
  final LongAdder fallbacks = new LongAdder();
  final LongAdder gaveUpNoResponders = new LongAdder();
  final LongAdder gaveUpTimeout = new LongAdder();
  final LongAdder gaveUpOther = new LongAdder();
  private final Map<String, Queue> queues = new ConcurrentHashMap<>();

  /** The counters of queue {@code name}, created on first use. */
  Queue queue(String name) {
    return queues.computeIfAbsent(name, q -> new Queue());
  }

  /** A snapshot of queue {@code name}: all zero for a queue not used yet. */
  QueueStats queueSnapshot(String name) {
    Queue q = queues.get(name);
    return q == null ? new Queue().snapshot() : q.snapshot();
  }

  BusStats snapshot() {
    return new BusStats(published.sum(), received.sum(), handled.sum(), handlerFailures.sum(),
        decodeFailures.sum(), deadLettered.sum(), deadLetterFailures.sum(),
        deadLettersHeldBack.sum(), refused.sum(), repliesRefused.sum(),
        new RetryStats(retried.sum(), retrySucceeded.sum(), fallbacks.sum(),
            gaveUpNoResponders.sum(), gaveUpTimeout.sum(), gaveUpOther.sum()));
  }

  /** The counters behind {@link QueueStats}. */
  static final class Queue {
    final LongAdder published = new LongAdder();
    final LongAdder publishDuplicates = new LongAdder();
    final LongAdder publishRetries = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder handled = new LongAdder();
    final LongAdder handlerFailures = new LongAdder();
    final LongAdder retried = new LongAdder();
    final LongAdder duplicatesSuppressed = new LongAdder();
    final LongAdder deferred = new LongAdder();
    final LongAdder deadLettered = new LongAdder();
    final LongAdder deadLetterFailures = new LongAdder();
    final LongAdder ackFailures = new LongAdder();

    QueueStats snapshot() {
      return new QueueStats(published.sum(), publishDuplicates.sum(), publishRetries.sum(),
          delivered.sum(), redelivered.sum(), handled.sum(), handlerFailures.sum(), retried.sum(),
          duplicatesSuppressed.sum(), deferred.sum(), deadLettered.sum(),
          deadLetterFailures.sum(), ackFailures.sum());
    }
  }
}
