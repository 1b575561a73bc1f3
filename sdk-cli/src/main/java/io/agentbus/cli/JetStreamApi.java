package io.agentbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The JetStream API as any NATS client reaches it: JSON requests on {@code $JS.API.>}. The command
 * line inspects and edits the streams the SDK declared (dead letters, durable queues) through it,
 * so it needs no JetStream types of its own and sees every stream whatever its name.
 */
final class JetStreamApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int NO_MESSAGE = 10037;
  static final int STREAM_NOT_FOUND = 10059;

  private final Transport transport;
  private final Duration timeout;

  JetStreamApi(Transport transport, Duration timeout) {
    this.transport = transport;
    this.timeout = timeout;
  }

  /** A stored message: where it is, its headers and bytes. */
  record Stored(String stream, long sequence, String subject, Headers headers, byte[] payload,
      Instant time) {}

  /** An error answer of the API. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int errCode;

    ApiError(String call, int errCode, String description) {
      super("JetStream refused " + call + ": " + description + " (err_code " + errCode + ")");
      this.errCode = errCode;
    }
  }

  JsonNode call(String subject, Map<String, ?> body) throws InterruptedException {
    byte[] payload;
    try {
      payload = body.isEmpty() ? new byte[0] : MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    TransportMessage reply;
    try {
      reply = transport.requestAndWait(subject, Headers.empty(), payload, timeout);
    } catch (NoRespondersException e) {
      throw new CliException(ExitCode.FAILED, "JetStream is not enabled on this NATS server "
          + "(no answer on " + subject + "): dead letters and durable queues need nats-server -js.",
          e);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(reply.payload());
    } catch (IOException e) {
      throw new IllegalStateException("Unreadable JetStream API reply on " + subject + ": "
          + e.getMessage(), e);
    }
    JsonNode error = node.get("error");
    if (error != null) {
      throw new ApiError(subject, error.path("err_code").asInt(), error.path("description")
          .asText());
    }
    return node;
  }

  /** Names of the streams that capture {@code subject} (wildcards allowed). */
  List<String> streamNames(String subject) throws InterruptedException {
    JsonNode r = call("$JS.API.STREAM.NAMES", Map.of("subject", subject));
    List<String> names = new ArrayList<>();
    r.path("streams").forEach(n -> names.add(n.asText()));
    return names;
  }

  JsonNode streamInfo(String stream) throws InterruptedException {
    return call("$JS.API.STREAM.INFO." + stream, Map.of());
  }

  /** The message at {@code sequence}, or the next one after it, or empty past the end. */
  Optional<Stored> getAtOrAfter(String stream, long sequence, String subject)
      throws InterruptedException {
    return get(stream, Map.of("seq", sequence, "next_by_subj", subject));
  }

  /** Exactly the message at {@code sequence}, if it is still there. */
  Optional<Stored> get(String stream, long sequence) throws InterruptedException {
    return get(stream, Map.of("seq", sequence));
  }

  private Optional<Stored> get(String stream, Map<String, ?> request)
      throws InterruptedException {
    JsonNode r;
    try {
      r = call("$JS.API.STREAM.MSG.GET." + stream, request);
    } catch (ApiError e) {
      if (e.errCode == NO_MESSAGE) {
        return Optional.empty();
      }
      throw e;
    }
    JsonNode m = r.path("message");
    byte[] data = m.hasNonNull("data") ? Base64.getDecoder().decode(m.get("data").asText())
        : new byte[0];
    Headers headers = m.hasNonNull("hdrs")
        ? parseHeaders(Base64.getDecoder().decode(m.get("hdrs").asText())) : Headers.empty();
    return Optional.of(new Stored(stream, m.path("seq").asLong(), m.path("subject").asText(),
        headers, data, Instant.parse(m.path("time").asText())));
  }

  /** Removes one message; true if it was there. */
  boolean delete(String stream, long sequence) throws InterruptedException {
    try {
      return call("$JS.API.STREAM.MSG.DELETE." + stream, Map.of("seq", sequence))
          .path("success").asBoolean();
    } catch (ApiError e) {
      if (e.errCode == NO_MESSAGE) {
        return false;
      }
      throw e;
    }
  }

  /** Removes every message; how many. */
  long purge(String stream) throws InterruptedException {
    return call("$JS.API.STREAM.PURGE." + stream, Map.of()).path("purged").asLong();
  }

  /**
   * Publishes to a subject a stream captures and waits for the stream's acknowledgement.
   *
   * @return the acknowledgement: {@code stream}, {@code seq}, {@code duplicate}
   */
  JsonNode publishStored(String subject, Headers headers, byte[] payload)
      throws InterruptedException {
    TransportMessage reply = transport.requestAndWait(subject, headers, payload, timeout);
    JsonNode node;
    try {
      node = MAPPER.readTree(reply.payload());
    } catch (IOException e) {
      throw new IllegalStateException("Unreadable acknowledgement on " + subject, e);
    }
    JsonNode error = node.get("error");
    if (error != null) {
      throw new ApiError("the publish to " + subject, error.path("err_code").asInt(),
          error.path("description").asText());
    }
    return node;
  }

  /** NATS header block: {@code NATS/1.0}, then {@code Name: value} lines. */
  static Headers parseHeaders(byte[] block) {
    Headers.Builder b = Headers.builder();
    String[] lines = new String(block, StandardCharsets.UTF_8).split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        b.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
    }
    return b.build();
  }

  static @Nullable String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
