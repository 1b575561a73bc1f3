package io.agentbus;

import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.TransportMessage;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one {@link MessageBus} hands a received message to a handler: decode, the interceptors'
 * {@code aroundDelivery}, the handler; and what happens when that fails: a message that cannot be
 * decoded, or whose handler throws, is logged, counted and dead-lettered, and a requester is told
 * at once. Core subscriptions use {@link #dispatch}; durable queues and replay use {@link
 * #decode} and {@link #deliver} and settle failures their own way. Thread-safe.
 */
final class DeliveryPipeline {
  private static final Logger log = LoggerFactory.getLogger(DeliveryPipeline.class);

  private final CodecSelector codecs;
  private final List<MessageInterceptor> interceptors;
  private final PublishPath publisher;
  private final DeadLetters deadLetters;
  private final BusMetrics metrics;
  private final FailureLog failures;

  DeliveryPipeline(CodecSelector codecs, List<MessageInterceptor> interceptors,
      PublishPath publisher, DeadLetters deadLetters, BusMetrics metrics) {
    this.codecs = codecs;
    this.interceptors = List.copyOf(interceptors);
    this.publisher = publisher;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.failures = new FailureLog(publisher.scheduler());
  }

  /**
   * Takes one message of a core subscription to {@code handler}. Never throws but a {@link
   * VirtualMachineError}: every outcome is counted, and failures dead-lettered.
   */
  void dispatch(TransportMessage raw, MessageHandler handler) {
    metrics.received.increment();
    CodecSelector.Decoded decoded;
    try {
      decoded = codecs.decode(raw);
    } catch (CodecException e) {
      metrics.decodeFailures.increment();
      boolean dead = deadLetters.publish(raw, "decode failed: " + e.getMessage());
      failures.decodeFailed(raw, CodecSelector.describeContentType(raw.headers()), e, dead);
      replyWithError(raw.replyTo(), "CodecException: " + e.getMessage());
      return;
    }
    AgentMessage message = decoded.message;
    try {
      deliver(delivery(raw, decoded, null), handler);
      metrics.handled.increment();
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      metrics.handlerFailures.increment();
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      boolean dead = deadLetters.publish(raw, "handler failed: " + error);
      failures.handlerFailed(raw, message, e, dead);
      replyWithError(raw.replyTo(), error);
    }
  }

  /**
   * Decodes {@code raw}.
   *
   * @throws CodecException if it cannot be; the caller counts and settles it
   */
  CodecSelector.Decoded decode(TransportMessage raw) {
    return codecs.decode(raw);
  }

  /**
   * The delivery of a decoded message; {@code stored} when it came from a stream, and then not a
   * request: nobody waits on a stored message.
   */
  Delivery delivery(TransportMessage raw, CodecSelector.Decoded decoded,
      @Nullable StoredMessage stored) {
    return new Delivery(publisher, decoded.message, raw.subject(), raw.headers(),
        stored == null ? raw.replyTo() : null, decoded.codec, stored, raw.payload().length);
  }

  /** Calls {@code handler} through the interceptors; what it throws reaches the caller. */
  void deliver(Delivery delivery, MessageHandler handler) throws Exception {
    deliver(delivery, handler, 0);
  }

  private void deliver(Delivery delivery, MessageHandler handler, int index) throws Exception {
    if (index == interceptors.size()) {
      handler.onMessage(delivery);
      return;
    }
    interceptors.get(index).aroundDelivery(delivery, d -> deliver(d, handler, index + 1));
  }

  /** Tells a waiting requester at once that its request failed, rather than letting it time out. */
  private void replyWithError(@Nullable String replyTo, String error) {
    if (replyTo == null) {
      return;
    }
    try {
      publisher.send(replyTo, null, Headers.of(Headers.ERROR, PublishPath.singleLine(error)),
          new byte[0]);
    } catch (RuntimeException e) {
      log.warn("Could not tell the requester on '{}' that its request failed", replyTo, e);
    }
  }
}
