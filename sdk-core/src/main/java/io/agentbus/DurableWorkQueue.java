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
import java.util.concurrent.atomic.LongAdder;
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

  private final MessageBus bus;
  private final DurableStreams streams;
  private final String queue;
  private final String subject;
  private final QueueOptions options;
  private final StreamSpec streamSpec;
  private final QueueCounters counters;
  private final ProcessedWindow processed;
  private volatile boolean declared;

  DurableWorkQueue(MessageBus bus, DurableStreams streams, String queue, QueueOptions options,
      QueueCounters counters) {
    this.bus = bus;
    this.streams = streams;
    this.queue = queue;
    this.subject = bus.subjects().queue(queue);
    this.options = options;
    this.counters = counters;
    String name = options.streamName() != null ? options.streamName()
        : MessageBus.streamName(bus.subjects().namespace(), "queue_" + queue);
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
    Codec codec = bus.codec();
    byte[] payload = codec.encode(message);
    Headers headers = bus.headersFor(subject, message, codec, payload)
        .with(Headers.MESSAGE_ID, messageId);
    Scheduler scheduler = bus.scheduler();
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
    if (bus.isClosed()) {
      result.completeExceptionally(new TransportException("Item " + messageId + " was not stored "
          + "on durable queue '" + queue + "': the bus was closed while it retried. Publishing "
          + "again with the same message id stores it at most once.", null, false));
      return;
    }
    Scheduler scheduler = bus.scheduler();
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
        bus.countPublished();
        if (ack.duplicate()) {
          counters.publishDuplicates.increment();
        }
        result.complete(new QueueReceipt(queue, messageId, true, ack.stream(), ack.sequence(),
            ack.duplicate()));
        return;
      }
      Throwable cause = unwrap(error);
      boolean retriable = isRetriable(cause);
      if (retriable && scheduler.now().isBefore(deadline) && !bus.isClosed()) {
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
    Scheduler scheduler = bus.scheduler();
    switch (processed.claim(key, scheduler.now())) {
      case DONE:
        log.debug("Item {} of queue '{}' was already handled here; acknowledging the redelivered "
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
    Codec codec;
    AgentMessage message;
    try {
      codec = bus.codecFor(raw.headers(), raw.payload());
      message = codec.decode(raw.payload());
    } catch (CodecException e) {
      bus.countReceived();
      bus.countDecodeFailure();
      processed.release(key, null);
      log.warn("Could not decode item {} of durable queue '{}' ({} bytes): {}; dead-lettering it",
          key, queue, raw.payload().length, e.getMessage());
      deadLetter(stored, key, "decode failed: " + e.getMessage());
      return;
    }
    bus.countReceived();
    Delivery delivery = new Delivery(bus, message, raw.subject(), raw.headers(), null, codec,
        stored);
    Duration beat = options.ackWait().dividedBy(2);
    Scheduler.Cancellable heartbeat = scheduler.scheduleAtFixedRate(beat, beat,
        () -> inProgressQuietly(stored));
    Throwable failure = null;
    try {
      bus.deliverTo(delivery, handler);
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
      bus.countHandled();
      return;
    }
    counters.handlerFailures.increment();
    bus.countHandlerFailure();
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
    TransportMessage raw = stored.message();
    String id = stored.messageId() != null ? stored.messageId()
        : stored.stream() + "-" + stored.sequence();
    Headers headers = raw.headers().toBuilder()
        .set(Headers.ERROR, MessageBus.singleLine(error))
        .set(Headers.ORIGINAL_SUBJECT, raw.subject())
        .set(Headers.DELIVERY_COUNT, Integer.toString(stored.deliveryCount()))
        .set(Headers.ORIGINAL_STREAM, stored.stream())
        .set(Headers.ORIGINAL_SEQUENCE, Long.toString(stored.sequence()))
        .set(Headers.MESSAGE_ID, id)
        .build();
    inProgressQuietly(stored); // storing the dead letter may take a while through an outage
    try {
      bus.ensureDeadLetterStream();
      streams.publish(bus.subjects().deadLetter(), headers, raw.payload(), id,
          options.publishTimeout()).get();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Duration delay = options.backoffAfter(stored.deliveryCount());
      log.error("Could not store the dead letter of item {} of queue '{}' ({}); the item stays "
          + "queued and comes back in {} ms", key, queue, unwrap(e).toString(), delay.toMillis());
      retryQuietly(stored, delay);
      counters.deadLetterFailures.increment();
      bus.countDeadLetterFailure();
      return;
    }
    ack(stored, key);
    counters.deadLettered.increment();
    bus.countDeadLettered();
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

  /** The counters behind {@link QueueStats}. */
  static final class QueueCounters {
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
