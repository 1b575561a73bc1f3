package io.agentbus.codec.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.spi.codec.Content;
import io.agentbus.spi.Codec;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's JSON encoding of {@link AgentMessage}, so that Java agents and the seed's
 * Python agents read each other's messages.
 *
 * <p><b>Writes</b> UTF-8 JSON with the keys {@code from_agent, to_agent, message_type, content,
 * timestamp, correlation_id} in that order, all six always present ({@code "to_agent": null} for a
 * broadcast and {@code "correlation_id": null} when there is none, as Python writes them), and the
 * timestamp in UTC with {@code Z} and three, six or nine fraction digits, the fewest that hold the
 * instant exactly: {@code 2025-12-05T14:30:00.000Z} for a whole millisecond (every message the bus
 * stamps), {@code 2025-12-05T14:30:30.123456Z} for a relayed Python timestamp with microseconds,
 * nine digits only for an instant with nanoseconds. Python 3.11's {@code
 * datetime.fromisoformat} reads all three (it keeps six of nine digits). Output is compact
 * (no spaces) and non-ASCII text is written as UTF-8 rather than {@code &#92;u} escapes; Python's
 * {@code json.loads} reads both. A string holding an unpaired UTF-16 surrogate, which UTF-8 cannot
 * carry, is written with a {@code &#92;uD800} escape, as Python does. Doubles are written in the
 * shortest form that reads back as the same double ({@code 30.5}, {@code 1.0E21}, {@code -0.0});
 * integers as plain digits.
 *
 * <p><b>Reads</b> what Python producers write: any whitespace, {@code &#92;u} escapes, a UTF-8
 * byte order mark, the keys in any order, timestamps with microseconds and numeric offsets
 * ({@code 2025-12-05T14:30:30.123456+00:00}, {@code +05:30}), with or without a fraction, or with
 * no offset at all (taken as UTC), kept to the nanosecond (digits beyond the ninth are dropped).
 * Unknown top-level keys are ignored, so a newer peer may add fields. A missing or null {@code to_agent}, {@code correlation_id} or
 * {@code content} means null, null and empty content. A key given twice keeps its last value, as
 * in Python.
 *
 * <p><b>Numbers.</b> A JSON integer becomes a {@link Long}; one outside 64 bits is rejected rather
 * than rounded (Python writes integers of any size; AgentMessage content carries 64 bits). A
 * number with a fraction or exponent becomes a {@link Double}, even when integral ({@code 2.0}
 * stays a double), and {@code -0.0} keeps its sign. {@code NaN}, {@code Infinity} and numbers
 * beyond the double range are rejected.
 *
 * <p><b>Rejects</b>, with a {@link CodecException} saying what and where: input larger than
 * {@link #maxInputBytes()} (checked before parsing), text that is not strict UTF-8 (overlong forms,
 * encoded surrogates and NUL bytes included; nothing is replaced silently), malformed or truncated
 * JSON, trailing data after the message, content nested deeper than 64 levels (the limit of every
 * AgentMessage; checked at any depth of input without recursing past it), a missing or invalid
 * {@code from_agent}, {@code message_type} or {@code timestamp}, and fields of the wrong JSON type.
 *
 * <p>Immutable and thread-safe; one instance serves a whole process.
 */
public final class JsonCodec implements Codec {
  /** {@value}: the content type named in the {@code Content-Type} header. */
  public static final String CONTENT_TYPE = "application/json";

  /**
   * The default {@link #maxInputBytes()}: the NATS default max payload (1 MiB) plus 64 KiB, so that
   * the transport is what normally refuses an oversized message, and the codec only refuses input
   * no transport with default settings would carry.
   */
  public static final int DEFAULT_MAX_INPUT_BYTES = 1024 * 1024 + 64 * 1024;

  private static final int MAX_ECHO = 64;

  private final JsonFactory factory;
  private final int maxInputBytes;

  private JsonCodec(Builder b) {
    this.maxInputBytes = b.maxInputBytes;
    this.factory = JsonFactory.builder()
        // the envelope is one level more than content; one more lets our own depth check, which
        // names the path, fire first, while Jackson still bounds what an ignored field may nest
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(Content.MAX_DEPTH + 2)
            // input is bounded by maxInputBytes already; any string or key that fits is accepted,
            // as encode writes it
            .maxStringLength(
                Math.max(b.maxInputBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
            .maxNameLength(Math.max(b.maxInputBytes, StreamReadConstraints.DEFAULT_MAX_NAME_LEN))
            .build())
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        // content keys are arbitrary peer data: canonicalise them, but never String.intern them
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        .build();
  }

  /** A codec with the default limits. */
  public static JsonCodec create() {
    return new Builder().build();
  }

  /** A builder to change the limits. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  /** The largest input {@link #decode} accepts, in bytes. */
  public int maxInputBytes() {
    return maxInputBytes;
  }

  // ------------------------------------------------------------------ encode

  /**
   * @throws CodecException if the timestamp is outside years 0000 to 9999, which the seed's format
   *     cannot carry
   */
  @Override
  public byte[] encode(AgentMessage message) {
    Objects.requireNonNull(message, "message");
    return JsonWriter.write(message);
  }

  // ------------------------------------------------------------------ decode

  /**
   * @throws CodecException saying what is wrong with the input and where (byte offset, and the
   *     path such as {@code content.api.fields[3]} when inside the message)
   */
  @Override
  public AgentMessage decode(byte[] bytes) {
    return decode(bytes, true);
  }

  /**
   * {@link #decode} with ({@code fastPath}) or without the fast path ({@link FastJsonReader}), which
   * must not change any outcome: tests compare the two.
   */
  AgentMessage decode(byte[] bytes, boolean fastPath) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw new CodecException("Cannot decode an AgentMessage from empty input: expected a JSON"
          + " object");
    }
    if (bytes.length > maxInputBytes) {
      throw new CodecException("JSON message of " + bytes.length + " bytes exceeds the limit of "
          + maxInputBytes + " bytes (JsonCodec.builder().maxInputBytes(...) raises it)");
    }
    Utf8.validate(bytes);
    try {
      AgentMessage fast = fastPath ? FastJsonReader.read(bytes) : null;
      if (fast != null) {
        return fast;
      }
      try (JsonParser p = factory.createParser(bytes)) {
        return readMessage(p);
      }
    } catch (CodecException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new CodecException("Could not read JSON message: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // the contract allows only CodecException; anything else is a bug in this codec or Jackson
      throw new CodecException("Could not decode JSON message: unexpected " + e
          + " (a JsonCodec bug; please report it with the input)", e);
    }
  }

  private static AgentMessage readMessage(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_OBJECT) {
      throw invalid(p, "expected a JSON object {...} holding an AgentMessage, found "
          + describe(t));
    }
    String from = null;
    String to = null;
    String type = null;
    Map<String, @Nullable Object> content = null;
    Instant timestamp = null;
    String correlationId = null;
    boolean sawFrom = false;
    boolean sawType = false;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = checkedName(p);
      JsonToken v = p.nextToken();
      switch (name) {
        case "from_agent":
          from = readString(p, v, name);
          sawFrom = true;
          break;
        case "to_agent":
          to = readString(p, v, name);
          break;
        case "message_type":
          type = readString(p, v, name);
          sawType = true;
          break;
        case "content":
          content = readContent(p, v);
          break;
        case "timestamp":
          timestamp = readTimestamp(p, v);
          break;
        case "correlation_id":
          correlationId = readString(p, v, name);
          break;
        default:
          p.skipChildren(); // a field from a newer peer
          break;
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw invalid(p, "expected a field name or '}', found " + describe(t));
    }
    JsonToken after = p.nextToken();
    if (after != null) {
      throw invalid(p, "unexpected " + describe(after) + " after the message object; a message"
          + " is exactly one JSON object");
    }
    if (from == null) {
      throw missing("from_agent", sawFrom, "the sending agent's id");
    }
    if (type == null) {
      throw missing("message_type", sawType, "the message type, e.g. \"status_update\"");
    }
    if (timestamp == null) {
      throw missing("timestamp", false, "e.g. \"2025-12-05T14:30:00.000Z\"");
    }
    return build(from, to, type, content, timestamp, correlationId);
  }

  /** The message from fields either path read; what is wrong with them, worded once for both. */
  static AgentMessage build(String from, @Nullable String to, String type,
      @Nullable Map<String, @Nullable Object> content, Instant timestamp,
      @Nullable String correlationId) {
    MessageType messageType;
    try {
      messageType = MessageType.of(type);
    } catch (AgentBusException e) {
      throw new CodecException("Invalid message_type in JSON message: " + e.getMessage(), e);
    }
    AgentMessage.Builder b = AgentMessage.builder()
        .fromAgent(from)
        .toAgent(to)
        .messageType(messageType)
        .timestamp(timestamp)
        .correlationId(correlationId);
    if (content != null) {
      b.adoptContent(content);
    }
    try {
      return b.build();
    } catch (AgentBusException | IllegalArgumentException e) {
      throw new CodecException("Invalid AgentMessage in JSON message: " + e.getMessage(), e);
    }
  }

  private static CodecException missing(String field, boolean wasNull, String what) {
    return new CodecException("JSON message " + (wasNull ? "has a null " : "has no ") + field
        + " field; it is required (" + what + ")");
  }

  /** A string, or null for JSON null; anything else is an error naming the field. */
  private static @Nullable String readString(JsonParser p, JsonToken v, String field)
      throws IOException {
    if (v == JsonToken.VALUE_STRING) {
      return checkedText(p);
    }
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    throw invalid(p, field + " must be a string, found " + describe(v));
  }

  private static @Nullable Map<String, @Nullable Object> readContent(JsonParser p, JsonToken v)
      throws IOException {
    if (v == JsonToken.START_OBJECT) {
      return readObject(p, 1);
    }
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    throw invalid(p, "content must be a JSON object, found " + describe(v));
  }

  private static Instant readTimestamp(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw invalid(p, "timestamp must be an ISO-8601 string, found " + describe(v));
    }
    unpairedSurrogateCheck(p, p.getText(), "the timestamp"); // an error must echo only text
    return IsoTimestamps.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
  }

  /** Reads the object whose START_OBJECT is current; {@code depth} is its content level. */
  private static Map<String, @Nullable Object> readObject(JsonParser p, int depth)
      throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_OBJECT) {
      return Map.of();
    }
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    while (t == JsonToken.FIELD_NAME) {
      String key = checkedName(p);
      map.put(key, readValue(p, p.nextToken(), depth));
      t = p.nextToken();
    }
    if (t != JsonToken.END_OBJECT) {
      throw invalid(p, "expected a field name or '}', found " + describe(t));
    }
    return map;
  }

  private static List<@Nullable Object> readArray(JsonParser p, int depth) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_ARRAY) {
      return List.of();
    }
    List<@Nullable Object> list = new ArrayList<>();
    while (t != JsonToken.END_ARRAY) {
      list.add(readValue(p, t, depth));
      t = p.nextToken();
    }
    return list;
  }

  /** Reads the value whose first token is {@code t}, sitting in a container at {@code depth}. */
  private static @Nullable Object readValue(JsonParser p, @Nullable JsonToken t, int depth)
      throws IOException {
    if (t == null) {
      throw invalid(p, "unexpected end of input");
    }
    switch (t) {
      case VALUE_STRING:
        return checkedText(p);
      case VALUE_NUMBER_INT:
        return readInteger(p);
      case VALUE_NUMBER_FLOAT:
        return readDouble(p);
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      case START_OBJECT:
        checkDepth(p, depth + 1);
        return readObject(p, depth + 1);
      case START_ARRAY:
        checkDepth(p, depth + 1);
        return readArray(p, depth + 1);
      default:
        throw invalid(p, "unexpected " + describe(t));
    }
  }

  /**
   * The current string value. JSON escapes can spell a lone UTF-16 surrogate ({@code "\\uD800"}),
   * which is not Unicode: another peer would read it as U+FFFD, or fail, or keep it, so two
   * readers could disagree on what a message says. Refused, as the fast path refuses it.
   */
  private static String checkedText(JsonParser p) throws IOException {
    return unpairedSurrogateCheck(p, p.getText(), "a string");
  }

  private static String checkedName(JsonParser p) throws IOException {
    return unpairedSurrogateCheck(p, p.currentName(), "a field name");
  }

  private static String unpairedSurrogateCheck(JsonParser p, String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid(p, what + " holds an unpaired UTF-16 surrogate, \\u"
            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at character " + i
            + ", which is not Unicode text (a surrogate escape must be a high one followed by a "
            + "low one, as in \\uD83D\\uDE80)");
      }
    }
    return s;
  }

  private static void checkDepth(JsonParser p, int depth) {
    if (depth > Content.MAX_DEPTH) {
      throw invalid(p, "content is nested deeper than " + Content.MAX_DEPTH + " levels");
    }
  }

  private static Long readInteger(JsonParser p) throws IOException {
    switch (p.getNumberType()) {
      case INT:
        return (long) p.getIntValue();
      case LONG:
        return p.getLongValue();
      default:
        throw invalid(p, "integer " + echo(p.getText()) + " does not fit in 64 bits (content"
            + " integers are Java longs, from -2^63 to 2^63-1)");
    }
  }

  private static Double readDouble(JsonParser p) throws IOException {
    double d = p.getDoubleValue();
    if (Double.isInfinite(d) || Double.isNaN(d)) {
      throw invalid(p, "number " + echo(p.getText()) + " is beyond the range of a double");
    }
    return d;
  }

  // ------------------------------------------------------------------ errors

  private static CodecException invalid(JsonParser p, String problem) {
    return new CodecException("Invalid JSON message: " + problem + where(p.currentTokenLocation(),
        p.getParsingContext()));
  }

  private static final Pattern JACKSON_SOURCE =
      Pattern.compile("\\[Source: [^;\\]]*; line: \\d+, column: (\\d+)\\]");
  private static final Pattern JACKSON_SETTING = Pattern.compile(", from `[A-Za-z.]+\\(\\)`");
  private static final int MAX_PATH = 160;

  private static CodecException malformed(JsonProcessingException e) {
    String problem = e.getOriginalMessage();
    if (problem == null) {
      problem = e.getClass().getSimpleName();
    }
    // Jackson's wording speaks of its own settings; say what it means for a message instead
    if (problem.startsWith("Non-standard token")) {
      problem = problem.replaceFirst(": enable `.*", "")
          + ": NaN and Infinity are not JSON (Python writes them unless allow_nan=False)";
    }
    problem = JACKSON_SOURCE.matcher(problem).replaceAll("column $1");
    problem = JACKSON_SETTING.matcher(problem).replaceAll("");
    String kind;
    if (e instanceof JsonEOFException) {
      kind = "Truncated JSON message: ";
    } else if (e instanceof StreamConstraintsException) {
      kind = "JSON message exceeds a limit: ";
    } else {
      kind = "Malformed JSON message: ";
    }
    JsonStreamContext context = e.getProcessor() instanceof JsonParser
        ? ((JsonParser) e.getProcessor()).getParsingContext() : null;
    return new CodecException(kind + problem + where(e.getLocation(), context), e);
  }

  private static String where(@Nullable JsonLocation location,
      @Nullable JsonStreamContext context) {
    StringBuilder sb = new StringBuilder();
    if (location != null && location.getByteOffset() >= 0) {
      sb.append(" at byte ").append(location.getByteOffset());
    }
    String path = context == null ? "" : pathOf(context);
    if (path.length() > MAX_PATH) {
      path = path.substring(0, MAX_PATH - 60) + "..." + path.substring(path.length() - 57);
    }
    if (!path.isEmpty()) {
      sb.append(sb.length() == 0 ? " at " : ", ").append(path);
    }
    return sb.toString();
  }

  /** The path of the current value, e.g. {@code content.api.fields[3]}. */
  private static String pathOf(JsonStreamContext context) {
    Deque<JsonStreamContext> chain = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      chain.push(c);
    }
    StringBuilder sb = new StringBuilder();
    for (JsonStreamContext c : chain) {
      if (c.inObject() && c.getCurrentName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(echo(c.getCurrentName()));
      } else if (c.inArray() && c.hasCurrentIndex()) {
        sb.append('[').append(c.getCurrentIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String describe(@Nullable JsonToken t) {
    if (t == null) {
      return "the end of the input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() != null ? "'" + t.asString() + "'" : t.name();
    }
  }

  private static String echo(String s) {
    String cut = s.length() <= MAX_ECHO ? s
        : s.substring(0, MAX_ECHO) + "...(" + s.length() + " chars)";
    return escapeUnpairedSurrogates(cut);
  }

  /** {@code s} with each unpaired surrogate written as its escape: an error must be text. */
  private static String escapeUnpairedSurrogates(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1));
      if (paired) {
        if (sb != null) {
          sb.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (sb == null) {
          sb = new StringBuilder(s.substring(0, i));
        }
        sb.append("\\u").append(Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  @Override
  public String toString() {
    return "JsonCodec{" + CONTENT_TYPE + ", maxInputBytes=" + maxInputBytes + "}";
  }

  /** Builds a {@link JsonCodec}. Not thread-safe; the codec it builds is. */
  public static final class Builder {
    private int maxInputBytes = DEFAULT_MAX_INPUT_BYTES;

    private Builder() {}

    /**
     * The largest input {@link JsonCodec#decode} accepts; larger input is refused before parsing.
     * Defaults to {@link #DEFAULT_MAX_INPUT_BYTES}; raise it when the NATS server allows larger
     * payloads.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxInputBytes(int maxInputBytes) {
      if (maxInputBytes <= 0) {
        throw new IllegalArgumentException("JsonCodec maxInputBytes must be positive, was "
            + maxInputBytes);
      }
      this.maxInputBytes = maxInputBytes;
      return this;
    }

    public JsonCodec build() {
      return new JsonCodec(this);
    }
  }
}
