package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.TransportMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The codecs of one {@link MessageBus}: the primary codec everything is published with, and the
 * choice of a codec for each message received: the one its {@code Content-Type} header names, or
 * without the header the registered codec that {@linkplain Codec#recognizes recognizes} the
 * payload, or else JSON, as the seed's Python agents send it. Resolved once when the bus is built.
 * Thread-safe.
 */
final class CodecSelector {
  /** The content type of a message that arrives without a {@code Content-Type} header. */
  static final String DEFAULT_CONTENT_TYPE = "application/json";

  private final Codec primary;
  private final Map<String, Codec> byType;
  /** The registered codecs other than JSON, asked in order about a header-less payload. */
  private final Codec[] recognizers;
  /** The JSON codec, if registered: what a header-less payload nobody recognizes is. */
  private final @Nullable Codec json;
  /** The Content-Type header each codec is published with, built once. */
  private final Map<String, Headers> contentTypeHeaders = new ConcurrentHashMap<>();
  private final Headers primaryHeaders;
  private volatile @Nullable Choice lastChoice;

  CodecSelector(Codec primary, List<Codec> additional) {
    this.primary = primary;
    Map<String, Codec> types = new LinkedHashMap<>();
    List<Codec> all = new ArrayList<>();
    all.add(primary);
    all.addAll(additional);
    for (Codec c : all) {
      types.putIfAbsent(c.contentType(), c);
      for (String alias : c.acceptedContentTypes()) {
        types.putIfAbsent(normalize(alias), c);
      }
    }
    this.byType = Map.copyOf(types);
    this.recognizers = all.stream().distinct()
        .filter(c -> !normalize(c.contentType()).equals(DEFAULT_CONTENT_TYPE))
        .toArray(Codec[]::new);
    this.json = byType.get(DEFAULT_CONTENT_TYPE);
    this.primaryHeaders = contentTypeHeaders(primary);
  }

  Codec primary() {
    return primary;
  }

  /**
   * The headers that name {@code codec}'s content type for a receiver: none for JSON (absent
   * means JSON on this wire) or for a payload the codec recognizes by its bytes.
   */
  Headers contentTypeHeaders(Codec codec, byte[] payload) {
    Headers h = codec == primary ? primaryHeaders : contentTypeHeaders(codec);
    return h.isEmpty() || codec.recognizes(payload) ? Headers.empty() : h;
  }

  private Headers contentTypeHeaders(Codec codec) {
    return contentTypeHeaders.computeIfAbsent(codec.contentType(),
        type -> normalize(type).equals(DEFAULT_CONTENT_TYPE) ? Headers.empty()
            : Headers.of(Headers.CONTENT_TYPE, type));
  }

  /** A received message decoded, with the codec that decoded it (and that replies use). */
  static final class Decoded {
    final Codec codec;
    final AgentMessage message;

    Decoded(Codec codec, AgentMessage message) {
      this.codec = codec;
      this.message = message;
    }
  }

  /**
   * Decodes {@code raw} with the codec {@link #codecFor} chooses.
   *
   * @throws CodecException if no registered codec fits or the bytes are malformed
   */
  Decoded decode(TransportMessage raw) {
    Codec c = codecFor(raw.headers(), raw.payload());
    return new Decoded(c, c.decode(raw.payload()));
  }

  /**
   * The codec to decode {@code payload} with.
   *
   * @throws CodecException if no registered codec fits, naming the content type
   */
  Codec codecFor(Headers headers, byte[] payload) {
    if (headers.isEmpty()) {
      return unlabelled(payload); // how nearly every message arrives
    }
    Choice last = lastChoice;
    if (last == null || last.headers != headers) {
      // Headers are immutable and transports may hand over one instance message after message
      // (the Transport SPI allows it): remembering the last answer by identity is then free
      String type = headers.first(Headers.CONTENT_TYPE);
      last = new Choice(headers, type == null ? null : lookUp(type));
      lastChoice = last;
    }
    return last.codec == null ? unlabelled(payload) : last.codec;
  }

  private Codec unlabelled(byte[] payload) {
    for (Codec c : recognizers) {
      if (c.recognizes(payload)) {
        return c;
      }
    }
    int first = firstNonWhitespace(payload);
    if (first < payload.length && (payload[first] < 0x20 || payload[first] >= 0x7f)) {
      throw new CodecException("A message without a Content-Type header is JSON unless a "
          + "registered codec recognizes it, but this payload is binary (" + payload.length
          + " bytes, byte " + first + " is 0x" + String.format("%02x", payload[first] & 0xff)
          + ") and none of " + byType.keySet() + " recognizes it"
          + (recognizers.length > 0 ? "" : ". If its sender publishes Protobuf, register "
              + "ProtobufCodec with MessageBus.Builder.additionalCodecs"));
    }
    return json != null ? json : lookUp(DEFAULT_CONTENT_TYPE); // which throws
  }

  /** The index of the first byte that is not JSON whitespace, or the length. */
  private static int firstNonWhitespace(byte[] payload) {
    int i = 0;
    while (i < payload.length && (payload[i] == ' ' || payload[i] == '\n'
        || payload[i] == '\r' || payload[i] == '\t')) {
      i++;
    }
    return i;
  }

  private Codec lookUp(String type) {
    Codec c = byType.get(type);
    if (c == null) {
      c = byType.get(normalize(type));
    }
    if (c == null) {
      throw new CodecException("No codec registered for content type '" + type
          + "'; this bus decodes " + byType.keySet());
    }
    return c;
  }

  /** {@code Application/JSON; charset=utf-8} becomes {@code application/json}. */
  static String normalize(String type) {
    int semicolon = type.indexOf(';');
    String bare = semicolon < 0 ? type : type.substring(0, semicolon);
    return bare.trim().toLowerCase(Locale.ROOT);
  }

  static String describeContentType(Headers headers) {
    String type = headers.first(Headers.CONTENT_TYPE);
    return type == null ? "no Content-Type" : type;
  }

  private static final class Choice {
    final Headers headers;
    /** Null: the headers name no content type. */
    final @Nullable Codec codec;

    Choice(Headers headers, @Nullable Codec codec) {
      this.headers = headers;
      this.codec = codec;
    }
  }
}
