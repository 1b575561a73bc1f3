package io.agentbus;

import io.agentbus.spi.Codec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Codecs for sdk-core's own tests, which have no JSON or Protobuf codec: a message is written as
 * the text {@code {from|to|type|correlation|epochMillis}} (content is not carried), after a magic
 * byte for a codec that {@linkplain #recognizes recognizes} its payloads. Counts its encodes.
 */
final class FakeCodec implements Codec {
  private final String contentType;
  private final List<String> accepted;
  private final @Nullable Byte magic;
  private final boolean failing;
  final AtomicInteger encodes = new AtomicInteger();

  private FakeCodec(String contentType, List<String> accepted, @Nullable Byte magic,
      boolean failing) {
    this.contentType = contentType;
    this.accepted = accepted;
    this.magic = magic;
    this.failing = failing;
  }

  /** Stands in for JSON: {@code application/json}, text starting with '{'. */
  static FakeCodec json() {
    return new FakeCodec(CodecSelector.DEFAULT_CONTENT_TYPE,
        List.of(CodecSelector.DEFAULT_CONTENT_TYPE), null, false);
  }

  /** Text that a receiver cannot tell from JSON: needs its Content-Type header. */
  static FakeCodec labelled(String contentType, String... aliases) {
    List<String> all = new java.util.ArrayList<>(List.of(contentType));
    all.addAll(List.of(aliases));
    return new FakeCodec(contentType, List.copyOf(all), null, false);
  }

  /** Stands in for Protobuf: binary, recognized by its first byte {@code magic}. */
  static FakeCodec recognizing(String contentType, byte magic) {
    return new FakeCodec(contentType, List.of(contentType), magic, false);
  }

  /** Throws {@link CodecException} on every encode and decode. */
  static FakeCodec failing(String contentType) {
    return new FakeCodec(contentType, List.of(contentType), null, true);
  }

  static AgentMessage message(String from, @Nullable String to, MessageType type,
      @Nullable String correlationId) {
    return AgentMessage.builder().fromAgent(from).toAgent(to).messageType(type)
        .content(Map.of()).timestamp(Instant.parse("2025-12-05T14:30:00Z"))
        .correlationId(correlationId).build();
  }

  @Override
  public String contentType() {
    return contentType;
  }

  @Override
  public List<String> acceptedContentTypes() {
    return accepted;
  }

  @Override
  public boolean recognizes(byte[] payload) {
    return magic != null && payload.length > 0 && payload[0] == magic;
  }

  @Override
  public byte[] encode(AgentMessage m) {
    encodes.incrementAndGet();
    if (failing) {
      throw new CodecException(contentType + " cannot encode " + m.messageType());
    }
    String text = "{" + m.fromAgent() + "|" + (m.toAgent() == null ? "" : m.toAgent()) + "|"
        + m.messageType().wireName() + "|"
        + (m.correlationId() == null ? "" : m.correlationId()) + "|"
        + m.timestamp().toEpochMilli() + "}";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (magic == null) {
      return utf8;
    }
    byte[] out = new byte[utf8.length + 1];
    out[0] = magic;
    System.arraycopy(utf8, 0, out, 1, utf8.length);
    return out;
  }

  @Override
  public AgentMessage decode(byte[] bytes) {
    if (failing) {
      throw new CodecException(contentType + " cannot decode " + bytes.length + " bytes");
    }
    int start = magic == null ? 0 : 1;
    if (magic != null && !recognizes(bytes)) {
      throw new CodecException("not " + contentType + ": no magic byte");
    }
    String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    String[] f = text.startsWith("{") && text.endsWith("}")
        ? text.substring(1, text.length() - 1).split("\\|", -1) : new String[0];
    if (f.length != 5) {
      throw new CodecException("malformed " + contentType + ": '" + text + "'");
    }
    try {
      return AgentMessage.builder().fromAgent(f[0]).toAgent(f[1].isEmpty() ? null : f[1])
          .messageType(MessageType.of(f[2])).content(Map.of())
          .timestamp(Instant.ofEpochMilli(Long.parseLong(f[4])))
          .correlationId(f[3].isEmpty() ? null : f[3]).build();
    } catch (IllegalArgumentException e) {
      throw new CodecException("invalid " + contentType + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "FakeCodec{" + contentType + "}";
  }
}
