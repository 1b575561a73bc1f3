package io.agentbus.spi;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import java.util.concurrent.CompletableFuture;

/**
 * A hook around publish and delivery, for concerns that belong on every message: trace
 * propagation, metrics, signing and verification. Registered on the {@link
 * io.agentbus.MessageBus.Builder}; called in registration order on publish and nested (first
 * registered outermost) on delivery and requests. Implementations are thread-safe.
 */
public interface MessageInterceptor {

  /**
   * Called before {@code message} is published to {@code subject}; returns the headers to send
   * (for example with a trace context or signature added). The default returns them unchanged.
   * Requests and replies come through here too (a request from inside {@link #aroundRequest}).
   *
   * @param payload the encoded message, for signing; do not modify it
   */
  default Headers beforePublish(
      String subject, AgentMessage message, Headers headers, byte[] payload) {
    return headers;
  }

  /**
   * Called before a reply to {@code request} is published to its reply subject {@code replyTo};
   * returns the headers to send. {@code reply} is null for an error reply (empty payload, {@link
   * Headers#ERROR}). The default calls {@link #beforePublish} for a reply and returns an error
   * reply's headers unchanged; a signer overrides it to bind the reply to its request.
   *
   * @param payload the encoded reply (empty for an error reply); do not modify it
   */
  default Headers beforeReply(Delivery request, String replyTo,
      @org.jspecify.annotations.Nullable AgentMessage reply, Headers headers, byte[] payload) {
    return reply == null ? headers : beforePublish(replyTo, reply, headers, payload);
  }

  /**
   * Wraps the handling of one delivered message. Call {@code next.proceed(delivery)} to go on (or
   * do not, to reject it); exceptions propagate as handler failures, except {@link
   * io.agentbus.MessageRefusedException}, which refuses the message as {@link #beforeDecode}
   * does. Replies to this bus's requests pass here too, with {@link Delivery#isReply()} true; a
   * reply that does not proceed is discarded and the requester keeps waiting.
   */
  default void aroundDelivery(Delivery delivery, Chain next) throws Exception {
    next.proceed(delivery);
  }

  /**
   * Called for every message received (deliveries, replies, queue items), before it is decoded
   * and before any handler, the monitor or a waiting requester sees it: returns null to let it
   * through, or a one-line reason to refuse it (for example "unsigned" or "bad signature"). A
   * refused delivery is counted in {@link io.agentbus.BusStats#refused()}, logged (rate-limited)
   * and dead-lettered with the reason in {@link Headers#ERROR}, and a request gets no answer; a
   * refused reply is discarded and the requester keeps waiting. The default lets everything
   * through.
   */
  default @org.jspecify.annotations.Nullable String beforeDecode(ReceivedMessage received) {
    return null;
  }

  /**
   * Wraps one request, from before its headers are made (so {@link #beforePublish} runs inside
   * {@code next.proceed()}) until its reply arrives. The returned future completes with the reply,
   * or exceptionally with what the request failed with (a {@link
   * io.agentbus.RequestTimeoutException}, a {@link io.agentbus.NoRespondersException}, a {@link
   * io.agentbus.RemoteHandlerException}...). A blocking request waits on this future on the
   * caller's thread. Return the future of {@code next.proceed()} itself (watch it with {@code
   * whenComplete}), so that a caller cancelling it still abandons the request. The default just
   * proceeds.
   *
   * @param subject where the request goes
   * @param request the request message
   */
  default CompletableFuture<AgentMessage> aroundRequest(
      String subject, AgentMessage request, RequestChain next) {
    return next.proceed();
  }

  /**
   * Called when the bus dead-letters {@code message}: its handler failed, it could not be
   * decoded, or a durable queue gave up on it. Must not throw (what it throws is logged and
   * ignored). The default does nothing.
   *
   * @param message the message as it arrived, with its headers (and any trace context in them)
   * @param error why it is dead-lettered, as written in the dead letter's error header
   */
  default void onDeadLetter(TransportMessage message, String error) {}

  /**
   * Called when a retried request ({@link io.agentbus.RetriedRequest}) to {@code subject}
   * starts, on the caller's thread: returns what watches its attempts, retries, fallback or end
   * (each attempt still passes {@link #aroundRequest} too). The default watches nothing.
   */
  default RetryObserver observeRetries(String subject, AgentMessage request) {
    return RetryObserver.NONE;
  }

  /** The rest of the delivery chain. */
  @FunctionalInterface
  interface Chain {
    void proceed(Delivery delivery) throws Exception;
  }

  /** The rest of a request: the other interceptors, the headers, the send and the wait. */
  @FunctionalInterface
  interface RequestChain {
    CompletableFuture<AgentMessage> proceed();
  }
}
