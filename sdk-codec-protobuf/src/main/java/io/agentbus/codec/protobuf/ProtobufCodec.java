package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import java.util.Objects;

/**
 * Encodes {@link AgentMessage}s as Protocol Buffers, in the schema {@code agentbus.v1.AgentMessage}
 * ({@code agentbus/v1/agent_message.proto}, shipped in this jar).
 *
 * <p><b>Lossless with JSON.</b> Every message the JSON codec can carry round-trips exactly: 64-bit
 * integers stay {@link Long}, doubles stay {@link Double} (2.0 too), nulls, booleans, strings,
 * nested maps (in their key order) and lists; the timestamp keeps its nanoseconds; an unknown
 * {@code message_type} from a newer peer keeps its wire name. A message can therefore be relayed
 * between JSON and Protobuf agents without change.
 *
 * <p><b>On one bus with JSON agents.</b> Register it as a {@link io.agentbus.MessageBus} codec, and
 * keep the JSON codec beside it for the seed's Python agents. Its payloads need no {@code
 * Content-Type} header: a receiver with this codec {@linkplain #recognizes recognizes} them, and a
 * header would cost NATS about a third of its throughput. Messages from peers that do send the
 * header ({@value #CONTENT_TYPE} or its alias) are read as well:
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .transport(transport)
 *     .codec(ProtobufCodec.create())
 *     .additionalCodecs(JsonCodec.create())
 *     .build();
 * }</pre>
 *
 * <p><b>Untrusted input.</b> {@link #decode} never trusts a length, never allocates more than the
 * input's size warrants, bounds content nesting at 64 levels (as {@link AgentMessage} does) and
 * reports every problem (truncated or malformed bytes, a wrong wire type, a missing {@code
 * from_agent}, {@code message_type} or {@code timestamp_millis}, a field or object key given
 * twice, invalid UTF-8, a non-finite double, a timestamp outside the years 0000 to 9999, an invalid
 * agent id) as a {@link io.agentbus.CodecException}
 * saying what and where. Fields added by a newer schema version are skipped.
 *
 * <p><b>Media type.</b> {@value #CONTENT_TYPE} is the type IANA registered for binary protobuf;
 * {@code application/x-protobuf} is its deprecated alias, so it is not used here.
 *
 * <p>Immutable, stateless and thread-safe.
 */
public final class ProtobufCodec implements Codec {
  /**
   * The media type of this encoding. A bus sends its messages without a {@code Content-Type}
   * header (see {@link #recognizes}); a peer may name it there, and is understood.
   */
  public static final String CONTENT_TYPE = "application/protobuf";

  private static final byte FROM_AGENT_TAG = (byte) Wire.tag(Wire.FROM_AGENT, Wire.LEN);
  private static final byte TO_AGENT_TAG = (byte) Wire.tag(Wire.TO_AGENT, Wire.LEN);
  private static final byte MESSAGE_TYPE_TAG = (byte) Wire.tag(Wire.MESSAGE_TYPE, Wire.LEN);

  private ProtobufCodec() {}

  /** A Protobuf codec. Instances are interchangeable. */
  public static ProtobufCodec create() {
    return new ProtobufCodec();
  }

  /** {@value #CONTENT_TYPE}. */
  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  /**
   * {@value #CONTENT_TYPE}, and {@code application/x-protobuf}, the deprecated alias some
   * peers still send.
   */
  @Override
  public java.util.List<String> acceptedContentTypes() {
    return java.util.List.of(CONTENT_TYPE, "application/x-protobuf");
  }

  /**
   * @throws io.agentbus.CodecException if a string in the message holds an unpaired surrogate,
   *     which protobuf's UTF-8 strings cannot carry (the message names the field or content path),
   *     or the timestamp is outside the years 0000 to 9999, which the seed's JSON format carries:
   *     the same limits as the JSON codec, so that a relay between the two never fails
   */
  @Override
  public byte[] encode(AgentMessage message) {
    return MessageEncoder.encode(Objects.requireNonNull(message, "message"));
  }

  /**
   * @throws io.agentbus.CodecException naming what is wrong with the bytes
   */
  @Override
  public AgentMessage decode(byte[] bytes) {
    return MessageDecoder.decode(Objects.requireNonNull(bytes, "bytes"));
  }

  /**
   * True for an {@code AgentMessage} in this encoding as every protobuf encoder writes it, fields in
   * number order: {@code from_agent} (field 1) first, then {@code to_agent} or {@code
   * message_type} (field 2 or 3; {@code message_type} is required). That is, the tag byte {@code
   * 0x0a}, a length that fits in the payload, that many bytes, then the tag byte {@code 0x12} or
   * {@code 0x1a}. No JSON text matches, because JSON never holds those two bytes unescaped, so a bus
   * sends this codec's messages without a {@code Content-Type} header.
   */
  @Override
  public boolean recognizes(byte[] payload) {
    if (payload.length < 3 || payload[0] != FROM_AGENT_TAG) {
      return false;
    }
    long length = 0;
    int i = 1;
    for (int shift = 0; shift < 35; shift += 7) { // a length is at most five varint bytes
      if (i == payload.length) {
        return false;
      }
      byte b = payload[i++];
      length |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        long next = i + length;
        return next < payload.length
            && (payload[(int) next] == TO_AGENT_TAG || payload[(int) next] == MESSAGE_TYPE_TAG);
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ProtobufCodec{" + CONTENT_TYPE + "}";
  }
}
