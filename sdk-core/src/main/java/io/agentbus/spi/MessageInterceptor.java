package io.agentbus.spi;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;

/**
 * A hook around publish and delivery, for concerns that belong on every message: trace
 * propagation, metrics, signing and verification. Registered on the {@link
 * io.agentbus.MessageBus.Builder}; called in registration order on publish and nested (first
 * registered outermost) on delivery. Implementations are thread-safe.
 */
public interface MessageInterceptor {

  /**
   * Called before {@code message} is published to {@code subject}; returns the headers to send
   * (for example with a trace context or signature added). The default returns them unchanged.
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

  /** The rest of the delivery chain. */
  @FunctionalInterface
  interface Chain {
    void proceed(Delivery delivery) throws Exception;
  }
}
