package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One durable work queue of a {@link MessageBus}: its stream, its publishing with store
 * acknowledgement and retries, and the settling of every delivery (ack, retry with backoff,
 * dead-letter, duplicate suppression). Thread-safe.
 */
final class DurableWorkQueue {
  private static final Logger log = LoggerFactory.getLogger(DurableWorkQueue.class);
  static final String CONSUMER_NAME = "workers";
  private static final Duration PUBLISH_RETRY_DELAY = Duration.ofMillis(100);
  private static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

  private final DurableStreams streams;
  private final PublishPath publisher;
  private final DeliveryPipeline pipeline;
  private final DeadLetters deadLetters;
  private final BusMetrics metrics;
  private final Scheduler scheduler;
  private final String queue;
  private final String subject;
  private final QueueOptions options;
  private final StreamSpec streamSpec;
  private final BusMetrics.Queue counters;
  private final ProcessedWindow processed;
  private volatile boolean declared;

  DurableWorkQueue(DurableStreams streams, Subjects subjects, String queue, QueueOptions options,
      PublishPath publisher, DeliveryPipeline pipeline, DeadLetters deadLetters,
      BusMetrics metrics) {
    this.streams = streams;
    this.publisher = publisher;
    this.pipeline = pipeline;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.scheduler = publisher.scheduler();
    this.queue = queue;
    this.subject = subjects.queue(queue);
    this.options = options;
    this.counters = metrics.queue(queue);
    String name = options.streamName() != null ? options.streamName()
        : BusStreams.streamName(subjects.namespace(), "queue_" + queue);
    this.streamSpec = new StreamSpec(name, List.of(subject), StreamSpec.Retention.WORK_QUEUE,
        Duration.ZERO, -1, options.duplicateWindow(), options.replicas());
    this.processed = new ProcessedWindow(options.processedWindow(), options.processedCapacity());
  }

  String streamName() {
    return streamSpec.name();
  }

  /** Declares the stream once; a failure is thrown and the next call tries again. */
  void ensureDeclared() {
    if (declared) {
      return;
    }
    synchronized (this) {
      if (!declared) {
        streams.declare(streamSpec);
        declared = true;
      }
    }
  }

  // ------------------------------------------------------------------ publishing

  CompletableFuture<QueueReceipt> publish(AgentMessage message, String messageId) {
    ensureDeclared();
    Codec codec = publisher.primaryCodec();
    byte[] payload = codec.encode(message);
    Headers headers = publisher.headersFor(subject, message, codec, payload, messageId);
    Instant deadline = scheduler.now().plus(options.publishTimeout());
    CompletableFuture<QueueReceipt> result = new CompletableFuture<>();
    attempt(result, headers, payload, messageId, deadline);
    return result;
  }

  private void attempt(CompletableFuture<QueueReceipt> result, Headers headers, byte[] payload,
      String messageId, Instant deadline) {
    if (result.isDone()) {
      return; // cancelled by the caller
    }
    if (publisher.isClosed()) {
      result.completeExceptionally(new TransportException("Item " + messageId + " was not stored "
          + "on durable queue '" + queue + "': the bus was closed while it retried. Publishing "
          + "again with the same message id stores it at most once.", null, false));
      return;
    }
    Duration remaining = Duration.between(scheduler.now(), deadline);
    Duration attemptTimeout = options.publishTimeout().dividedBy(5);
    if (attemptTimeout.compareTo(MIN_ATTEMPT_TIMEOUT) < 0) {
      attemptTimeout = MIN_ATTEMPT_TIMEOUT;
    }
    if (remaining.compareTo(attemptTimeout) < 0) {
      attemptTimeout = remaining.isNegative() || remaining.isZero() ? Duration.ofMillis(1)
          : remaining;
    }
    CompletableFuture<StoreAck> stored;
    try {
      stored = streams.publish(subject, headers, payload, messageId, attemptTimeout);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    stored.whenComplete((ack, error) -> {
      if (error == null) {
        counters.published.increment();
        metrics.published.increment();
        if (ack.duplicate()) {
          counters.publishDuplicates.increment();
          log.info("Item {} was already stored on durable queue '{}' (same message id within the "
              + "duplicate window {}); the queue keeps the first copy and dropped this one",
              messageId, queue, options.duplicateWindow());
        }
        result.complete(new QueueReceipt(queue, messageId, true, ack.stream(), ack.sequence(),
            ack.duplicate()));
        return;
      }
      Throwable cause = unwrap(error);
      boolean retriable = isRetriable(cause);
      if (retriable && scheduler.now().isBefore(deadline) && !publisher.isClosed()) {
        counters.publishRetries.increment();
        log.debug("Storing item {} on durable queue '{}' failed ({}); trying again", messageId,
            queue, cause.toString());
        scheduler.schedule(PUBLISH_RETRY_DELAY,
            () -> attempt(result, headers, payload, messageId, deadline));
        return;
      }
      String why = retriable ? "the store did not acknowledge it within the publish timeout of "
          + options.publishTimeout().toMillis() + " ms" : "the store refused it";
      result.completeExceptionally(new TransportException("Item " + messageId
          + " was not stored on durable queue '" + queue + "' (" + subject + "): " + why
          + "; last error: " + cause.getMessage() + ". Publishing again with the same message id "
          + "stores it at most once.", cause, retriable));
    });
  }

  private static boolean isRetriable(Throwable t) {
    if (t instanceof AgentBusException) {
      return ((AgentBusException) t).isRetriable();
    }
    return t instanceof TimeoutException || t instanceof CancellationException;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // ------------------------------------------------------------------ consuming

  TransportSubscription startWorker(MessageHandler handler) {
    ensureDeclared();
    ConsumerSpec spec = new ConsumerSpec(streamSpec.name(), CONSUMER_NAME, subject,
        options.ackWait(), options.maxAckPending());
    return streams.consume(spec, stored -> onStored(stored, handler));
  }

  private void onStored(StoredMessage stored, MessageHandler handler) {
    counters.delivered.increment();
    int count = stored.deliveryCount();
    if (count > 1) {
      counters.redelivered.increment();
    }
    String key = stored.messageId() != null ? "id:" + stored.messageId()
        : "seq:" + stored.stream() + ":" + stored.sequence();
    switch (processed.claim(key, scheduler.now())) {
      case DONE:
        log.info("Item {} of queue '{}' was already handled here; acknowledging the redelivered "
            + "copy (delivery {}) without handling it again", key, queue, count);
        ack(stored, key);
        counters.duplicatesSuppressed.increment();
        return;
      case BUSY:
        retryQuietly(stored, options.backoffAfter(1));
        counters.deferred.increment();
        return;
      case CLAIMED:
      default:
        break;
    }
    TransportMessage raw = stored.message();
    if (count > options.maxDeliveries()) {
      // delivered again without a handler failure being seen here: a worker died or its ack
      // was lost each time
      String last = processed.lastError(key);
      processed.release(key, null);
      deadLetter(stored, key, "not handled after " + options.maxDeliveries() + " deliveries"
          + (last == null ? " (acknowledgement wait expired)" : "; last error: " + last));
      return;
    }
    metrics.received.increment();
    CodecSelector.Decoded decoded;
    try {
      decoded = pipeline.decode(raw);
    } catch (CodecException e) {
      metrics.decodeFailures.increment();
      processed.release(key, null);
      log.warn("Could not decode item {} of durable queue '{}' ({} bytes): {}; dead-lettering it",
          key, queue, raw.payload().length, e.getMessage());
      deadLetter(stored, key, "decode failed: " + e.getMessage());
      return;
    }
    Delivery delivery = pipeline.delivery(raw, decoded, stored);
    Duration beat = options.ackWait().dividedBy(2);
    Scheduler.Cancellable heartbeat = scheduler.scheduleAtFixedRate(beat, beat,
        () -> inProgressQuietly(stored));
    Throwable failure = null;
    try {
      pipeline.deliver(delivery, handler);
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        heartbeat.cancel();
        processed.release(key, e.toString());
        throw (Error) e;
      }
      failure = e;
    } finally {
      heartbeat.cancel();
    }
    if (failure == null) {
      processed.done(key, scheduler.now());
      ack(stored, key);
      counters.handled.increment();
      metrics.handled.increment();
      return;
    }
    counters.handlerFailures.increment();
    metrics.handlerFailures.increment();
    String error = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    processed.release(key, error);
    if (count >= options.maxDeliveries()) {
      log.error("Handler of durable queue '{}' failed on item {} (delivery {} of {}); "
          + "dead-lettering it", queue, key, count, options.maxDeliveries(), failure);
      deadLetter(stored, key, "handler failed: " + error);
    } else {
      Duration delay = options.backoffAfter(count);
      log.warn("Handler of durable queue '{}' failed on item {} (delivery {} of {}): {}; "
          + "retrying in {} ms", queue, key, count, options.maxDeliveries(), error,
          delay.toMillis());
      retryQuietly(stored, delay);
      counters.retried.increment();
    }
  }

  private void ack(StoredMessage stored, String key) {
    try {
      stored.ack();
    } catch (RuntimeException e) {
      counters.ackFailures.increment();
      log.warn("The store did not confirm the acknowledgement of item {} of queue '{}' ({}); "
          + "if it is delivered again it is recognised as handled", key, queue, e.toString());
    }
  }

  private void deadLetter(StoredMessage stored, String key, String error) {
    inProgressQuietly(stored); // storing the dead letter may take a while through an outage
    try {
      deadLetters.store(stored, error, counters, options.publishTimeout());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Duration delay = options.backoffAfter(stored.deliveryCount());
      log.error("Could not store the dead letter of item {} of queue '{}' ({}); the item stays "
          + "queued and comes back in {} ms", key, queue, unwrap(e).toString(), delay.toMillis());
      retryQuietly(stored, delay);
      return;
    }
    ack(stored, key);
  }

  private void retryQuietly(StoredMessage stored, Duration delay) {
    try {
      stored.retryAfter(delay);
    } catch (RuntimeException e) {
      log.warn("Could not ask for a redelivery of item {} of queue '{}' ({}); it comes back after "
          + "the ack wait", stored.sequence(), queue, e.toString());
    }
  }

  private void inProgressQuietly(StoredMessage stored) {
    try {
      stored.inProgress();
    } catch (RuntimeException e) {
      log.debug("Could not extend the ack wait of item {} of queue '{}'", stored.sequence(), queue,
          e);
    }
  }

  QueueStats stats() {
    return counters.snapshot();
  }

  @Override
  public String toString() {
    return "DurableWorkQueue{" + queue + ", stream=" + streamSpec.name() + "}";
  }
}
