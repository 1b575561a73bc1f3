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
   * Wraps the handling of one delivered message. Call {@code next.proceed(delivery)} to go on (or
   * do not, to reject it); exceptions propagate as handler failures.
   */
  default void aroundDelivery(Delivery delivery, Chain next) throws Exception {
    next.proceed(delivery);
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
