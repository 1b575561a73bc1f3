package io.agentbus.spi;

import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A message as it arrived, before it is decoded: what {@link MessageInterceptor#beforeDecode}
 * inspects. The payload is the bytes that arrived (do not modify them), so that a signature made
 * by a peer in another language over the bytes it sent can be checked.
 *
 * @param subject the subject it arrived on (for a reply: the requester's reply subject)
 * @param replyTo its reply subject, or null
 * @param headers its headers as they arrived
 * @param payload its payload as it arrived
 * @param inReplyTo for a reply, the request it answers as this bus sent it; null otherwise
 * @param receiver who receives it within the bus: an id of the subscription (unique among the
 *     bus's subscriptions), {@code "reply"} for a reply; null for a message from a stream (a
 *     durable queue's item, a replayed message), which may arrive more than once by design
 */
public record ReceivedMessage(String subject, @Nullable String replyTo, Headers headers,
    byte[] payload, @Nullable SentRequest inReplyTo, @Nullable String receiver) {

  /** True if this is a reply to a request of this bus. */
  public boolean isReply() {
    return inReplyTo != null;
  }

  /**
   * A request as it was sent: the subject it was published to, its headers (with what the
   * interceptors added) and the message.
   */
  public record SentRequest(String subject, Headers headers, AgentMessage message) {}
}
