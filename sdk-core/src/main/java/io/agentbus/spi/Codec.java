package io.agentbus.spi;

import io.agentbus.AgentMessage;

/**
 * Turns an {@link AgentMessage} into bytes and back.
 *
 * <p><b>How a receiver tells codecs apart.</b> A message names its encoding in the {@link
 * io.agentbus.Headers#CONTENT_TYPE} header unless its payload says it already: a message without
 * the header is JSON (that is how the seed's Python agents send), or belongs to a codec that
 * {@linkplain #recognizes recognizes} it from its first bytes. A bus publishes without the header
 * whenever it may, because a message with headers costs NATS about a third of its throughput.
 *
 * <p>Implementations are thread-safe and stateless per call. {@code sdk-test}'s {@code
 * CodecContract} defines the round-trip and error behaviour every codec must have.
 */
public interface Codec {
  /** The MIME type of the encoding, e.g. {@code application/json}. */
  String contentType();

  /**
   * Every content type this codec decodes: {@link #contentType()} first, then aliases other
   * peers may send (for example {@code application/x-protobuf}). Matching ignores case and
   * parameters such as {@code ;charset=utf-8}.
   */
  default java.util.List<String> acceptedContentTypes() {
    return java.util.List.of(contentType());
  }

  /**
   * Whether {@code payload}, which arrived without a Content-Type header, is this codec's
   * encoding, judged from its first bytes without decoding it. A bus publishes a payload of this
   * codec without the header when this returns true for it, and a receiving bus asks each codec it
   * has before it takes a header-less payload for JSON.
   *
   * <p>An implementation must return false for every JSON text, and for every payload of another
   * codec that recognizes its own; it must be cheap (the bus calls it for every message) and never
   * throw. The default, false, means: always name this codec in the header.
   */
  default boolean recognizes(byte[] payload) {
    return false;
  }

  /**
   * @throws io.agentbus.CodecException if the message cannot be represented
   */
  byte[] encode(AgentMessage message);

  /**
   * @throws io.agentbus.CodecException naming what is wrong with the bytes: malformed, truncated,
   *     too deep, too large, a missing or invalid field. Never another unchecked exception.
   */
  AgentMessage decode(byte[] bytes);
}
