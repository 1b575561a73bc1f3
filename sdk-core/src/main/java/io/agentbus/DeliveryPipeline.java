package io.agentbus;

import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.ReceivedMessage;
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
  private final String namespacePrefix;
  private final String deadLetterSubject;
  private final RateLimitedLog refusals;
  private final FailureLog failures;

  DeliveryPipeline(CodecSelector codecs, List<MessageInterceptor> interceptors,
      PublishPath publisher, DeadLetters deadLetters, BusMetrics metrics, Subjects subjects) {
    this.codecs = codecs;
    this.interceptors = List.copyOf(interceptors);
    this.publisher = publisher;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.namespacePrefix = subjects.namespace() + ".";
    this.deadLetterSubject = subjects.deadLetter();
    this.refusals = new RateLimitedLog(log, publisher.scheduler(), 10_000);
    this.failures = new FailureLog(publisher.scheduler());
  }

  /**
   * Takes one message of a core subscription to {@code handler}. Never throws but a {@link
   * VirtualMachineError}: every outcome is counted, and failures dead-lettered.
   */
  void dispatch(TransportMessage raw, MessageHandler handler) {
    metrics.received.increment();
    String refusal = refusal(raw, handler);
    if (refusal != null) {
      refuse(raw, refusal);
      return;
    }
    CodecSelector.Decoded decoded;
    try {
      decoded = codecs.decode(raw);
    } catch (CodecException e) {
      metrics.decodeFailures.increment();
      boolean dead = deadLetters.publish(raw, "decode failed: " + e.getMessage());
      failures.decodeFailed(raw, CodecSelector.describeContentType(raw.headers()), e, dead);
      replyWithError(raw.replyTo(), null, "CodecException: " + e.getMessage());
      return;
    }
    AgentMessage message = decoded.message;
    Delivery delivery = delivery(raw, decoded, null);
    try {
      deliver(delivery, handler);
      metrics.handled.increment();
    } catch (MessageRefusedException e) {
      refuse(raw, e.getMessage());
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      metrics.handlerFailures.increment();
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      boolean dead = deadLetters.publish(raw, "handler failed: " + error);
      failures.handlerFailed(raw, message, e, dead);
      replyWithError(raw.replyTo(), delivery, error);
    }
  }

  /**
   * Decodes {@code raw}.
   *
   * @throws CodecException if it cannot be; the caller counts and settles it
   */
  CodecSelector.Decoded decode(TransportMessage raw) {
    String refusal = interceptorRefusal(raw, null, null);
    if (refusal != null) {
      throw new CodecException("refused: " + refusal);
    }
    return codecs.decode(raw);
  }

  /** Decodes {@code raw}, which the interceptors' {@code beforeDecode} already let through. */
  CodecSelector.Decoded decodeChecked(TransportMessage raw) {
    return codecs.decode(raw);
  }

  /**
   * Why {@code raw}, received by a subscription, must not reach a handler, or null. A request
   * whose reply subject is in this bus's namespace would make its responder publish the answer
   * to another agent's (or a team's, a queue's) subject: a reflection, refused. Then the
   * interceptors' {@link MessageInterceptor#beforeDecode}.
   */
  private @Nullable String refusal(TransportMessage raw, MessageHandler handler) {
    String replyTo = raw.replyTo();
    if (replyTo != null && replyTo.startsWith(namespacePrefix)) {
      return "reflected request: its reply subject '" + replyTo + "' is a subject of the '"
          + namespacePrefix.substring(0, namespacePrefix.length() - 1)
          + "' namespace, not an inbox";
    }
    if (raw.subject().equals(deadLetterSubject)) {
      // a dead letter is a report about a message, republished by whichever bus failed it and
      // unsigned; its headers are the original's. It is read, not verified: who may publish
      // there is for the server's permissions to say (docs/security.md)
      return null;
    }
    // the receiver's name only when an interceptor will read it: not a string per message
    return interceptors.isEmpty() ? null : interceptorRefusal(raw, null, receiverOf(handler));
  }

  /** A name for the subscription of {@code handler}, unique among the bus's subscriptions. */
  private static String receiverOf(MessageHandler handler) {
    return handler.getClass().getName() + "@" + Integer.toHexString(
        System.identityHashCode(handler));
  }

  /**
   * The first interceptor's reason to refuse {@code raw} before decoding, or null; {@code
   * receiver} as {@link ReceivedMessage#receiver()}.
   */
  @Nullable String interceptorRefusal(TransportMessage raw,
      ReceivedMessage.@Nullable SentRequest request, @Nullable String receiver) {
    if (interceptors.isEmpty()) {
      return null;
    }
    ReceivedMessage received = new ReceivedMessage(raw.subject(), raw.replyTo(), raw.headers(),
        raw.payload(), request, receiver);
    for (MessageInterceptor i : interceptors) {
      String why = i.beforeDecode(received);
      if (why != null) {
        return PublishPath.singleLine(why);
      }
    }
    return null;
  }

  /**
   * Refuses a delivery: counted, logged once per cause (rate-limited), dead-lettered with the
   * reason; a request gets no answer of value.
   */
  private void refuse(TransportMessage raw, String reason) {
    metrics.refused.increment();
    refusals.warn("refused " + cause(reason), "Refused a message on '" + raw.subject() + "': "
        + reason + "; dead-lettering it (BusStats.refused counts them)");
    deadLetters.publish(raw, "refused: " + reason);
  }

  /**
   * Runs a reply's {@code aroundDelivery} chain; true if it reached the end, false if an
   * interceptor did not proceed or refused it.
   */
  boolean admitReply(TransportMessage raw, CodecSelector.Decoded decoded) throws Exception {
    if (interceptors.isEmpty()) {
      return true;
    }
    boolean[] reached = new boolean[1];
    try {
      deliver(new Delivery(publisher, decoded.message, raw.subject(), raw.headers(), null,
          decoded.codec, null, raw.payload().length, true), d -> reached[0] = true);
    } catch (MessageRefusedException e) {
      return false;
    }
    return reached[0];
  }

  /** Counts and logs (rate-limited) a reply discarded because it did not answer its request. */
  void refuseReply(String requestSubject, String problem) {
    metrics.repliesRefused.increment();
    refusals.warn("reply " + cause(problem), "Discarded " + problem + " to the request on '"
        + requestSubject + "'; still waiting for the real reply (BusStats.repliesRefused counts "
        + "them)");
  }

  /** The kind of a refusal, for rate-limiting its log: the reason up to its first detail. */
  private static String cause(String reason) {
    int cut = reason.length();
    for (char c : new char[] {':', '\'', '('}) {
      int i = reason.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    return reason.substring(0, cut);
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

  /**
   * Tells a waiting requester at once that its request failed, rather than letting it time out,
   * with the request's correlation id so that the requester knows the error answers its request.
   */
  private void replyWithError(@Nullable String replyTo, @Nullable Delivery request,
      String error) {
    if (replyTo == null) {
      return;
    }
    Headers.Builder headers = Headers.builder().add(Headers.ERROR, PublishPath.singleLine(error));
    String correlationId = request == null ? null : request.message().correlationId();
    if (correlationId != null && PublishPath.isHeaderSafe(correlationId)) {
      headers.add(Headers.CORRELATION_ID, correlationId);
    }
    try {
      if (request == null) { // it could not be decoded: nothing to answer as
        publisher.send(replyTo, null, headers.build(), new byte[0]);
      } else {
        publisher.publishReply(request, replyTo, null, null, headers.build());
      }
    } catch (RuntimeException e) {
      log.warn("Could not tell the requester on '{}' that its request failed", replyTo, e);
    }
  }
}
