package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.StoredMessage;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One message delivered to a {@link MessageHandler}: the decoded {@link AgentMessage}, the subject
 * it arrived on, its headers, and (for a request) the means to reply. Replies go out in the codec
 * the request came in, so a JSON requester gets JSON and a Protobuf requester Protobuf.
 */
public final class Delivery {
  private final PublishPath replies;
  private final AgentMessage message;
  private final String subject;
  private final Headers headers;
  private final @Nullable String replyTo;
  private final Codec codec;
  private final @Nullable StoredMessage stored;
  private final int payloadSize;

  Delivery(PublishPath replies, AgentMessage message, String subject, Headers headers,
      @Nullable String replyTo, Codec codec, @Nullable StoredMessage stored, int payloadSize) {
    this.payloadSize = payloadSize;
    this.replies = replies;
    this.message = message;
    this.subject = subject;
    this.headers = headers;
    this.replyTo = replyTo;
    this.codec = codec;
    this.stored = stored;
  }

  public AgentMessage message() {
    return message;
  }

  /** The concrete subject the message was published to. */
  public String subject() {
    return subject;
  }

  public Headers headers() {
    return headers;
  }

  /** The reply subject of a request, or null. */
  public @Nullable String replyTo() {
    return replyTo;
  }

  /** True when the sender waits for a reply. */
  public boolean isRequest() {
    return replyTo != null;
  }

  /**
   * How many times this item has been delivered, this time included: 1 on a first delivery, more
   * when a durable queue redelivers it. Always 1 for messages that do not come from a stream.
   */
  public int deliveryCount() {
    return stored == null ? 1 : stored.deliveryCount();
  }

  /**
   * The message id ({@link Headers#MESSAGE_ID}) it was published with, or null. Items of durable
   * queues always have one: the key to make a handler idempotent across processes.
   */
  public @Nullable String messageId() {
    return headers.first(Headers.MESSAGE_ID);
  }

  /**
   * Its sequence in the stream it was stored in (durable queue items, replayed messages), or 0
   * when it did not come from a stream. Pass it to {@link ReplayStart#afterSequence} to resume.
   */
  public long sequence() {
    return stored == null ? 0 : stored.sequence();
  }

  /** The stream it was stored in, or null when it did not come from a stream. */
  public @Nullable String stream() {
    return stored == null ? null : stored.stream();
  }

  /** When the stream stored it, or null when it did not come from a stream. */
  public @Nullable Instant storedAt() {
    return stored == null ? null : stored.storedAt();
  }

  /** The size in bytes of the payload as it arrived, before decoding. */
  public int payloadSize() {
    return payloadSize;
  }

  /** The codec the message arrived in (and that replies use). */
  public Codec codec() {
    return codec;
  }

  /**
   * Replies as the agent the request was addressed to ({@code to_agent}), keeping the request's
   * correlation id.
   *
   * @throws IllegalStateException if this is not a request, or it has no {@code to_agent} (a
   *     broadcast or queue request: use {@link #reply(String, MessageType, Map)})
   */
  public void reply(MessageType type, Map<String, ? extends @Nullable Object> content) {
    String me = message.toAgent();
    if (me == null) {
      throw new IllegalStateException("The request on '" + subject
          + "' has no to_agent to reply as; use reply(fromAgent, type, content)");
    }
    reply(me, type, content);
  }

  /** Replies as {@code fromAgent}, keeping the request's correlation id. */
  public void reply(String fromAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    reply(AgentMessage.builder()
        .fromAgent(fromAgent)
        .toAgent(message.fromAgent())
        .messageType(type)
        .content(content)
        .timestamp(Instant.ofEpochMilli(replies.scheduler().nowMillis())) // as MessageBus stamps
        .correlationId(message.correlationId())
        .build());
  }

  /**
   * Sends {@code reply} as the answer to this request.
   *
   * @throws IllegalStateException if this is not a request
   */
  public void reply(AgentMessage reply) {
    if (replyTo == null) {
      throw new IllegalStateException("The message on '" + subject
          + "' is not a request: nobody waits for a reply");
    }
    replies.publish(replyTo, reply, codec);
  }

  @Override
  public String toString() {
    return "Delivery{subject=" + subject + ", replyTo=" + replyTo + ", message=" + message + "}";
  }
}
