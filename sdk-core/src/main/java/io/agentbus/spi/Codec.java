package io.agentbus.spi;

import io.agentbus.AgentMessage;

/**
 * Turns an {@link AgentMessage} into bytes and back. The codec's {@link #contentType()} travels in
 * the {@link io.agentbus.Headers#CONTENT_TYPE} header so that a receiver can pick the matching
 * codec; a message with no such header is JSON (that is how the seed's Python agents send).
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
   * @throws io.agentbus.CodecException if the message cannot be represented
   */
  byte[] encode(AgentMessage message);

  /**
   * @throws io.agentbus.CodecException naming what is wrong with the bytes: malformed, truncated,
   *     too deep, too large, a missing or invalid field. Never another unchecked exception.
   */
  AgentMessage decode(byte[] bytes);
}
