package io.agentbus;

import io.agentbus.spi.codec.Content;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's message envelope, field for field:
 *
 * <pre>{@code
 * {"from_agent": "architect-001", "to_agent": "parser-dev-001", "message_type": "question",
 *  "content": {...}, "timestamp": "2025-12-05T14:30:00.000Z", "correlation_id": "..."}
 * }</pre>
 *
 * <p>{@code toAgent} is null for broadcasts, team and queue messages. {@code content} is a JSON-like
 * tree of {@link Map Map&lt;String, Object&gt;}, {@link java.util.List}, {@link String}, {@link
 * Boolean}, {@link Long} (every integer, up to 64 bits), {@link Double} and null; values of other
 * numeric types are normalised on the way in ({@code Integer} to {@code Long}, {@code Float} to
 * {@code Double}), and anything else is rejected. The timestamp is kept at the precision it is
 * given, down to the nanosecond, so that a relayed message keeps the microseconds a Python agent
 * stamped; the codecs write it at that precision. Messages the bus creates are stamped at whole
 * milliseconds, as is the builder's default.
 *
 * <p>Immutable and thread-safe: the content is deeply copied and unmodifiable.
 */
public final class AgentMessage {
  private final String fromAgent;
  private final @Nullable String toAgent;
  private final MessageType messageType;
  private final Map<String, @Nullable Object> content;
  private final Instant timestamp;
  private final @Nullable String correlationId;

  private AgentMessage(Builder b) {
    this.fromAgent = Subjects.requireToken("from_agent", requireSet(b.fromAgent, "from_agent"));
    this.toAgent = b.toAgent == null ? null : Subjects.requireToken("to_agent", b.toAgent);
    this.messageType = requireSet(b.messageType, "message_type");
    this.content = b.contentIsCopy ? b.content
        : b.contentAdopted ? Content.adopt(b.content) : Content.copyOf(b.content);
    // a default stamp at whole milliseconds, as the bus stamps, writes three fraction digits
    this.timestamp = b.timestamp != null ? b.timestamp
        : Instant.ofEpochMilli(System.currentTimeMillis());
    this.correlationId = b.correlationId;
  }

  private static <T> T requireSet(@Nullable T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("AgentMessage." + field + " is required");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The sending agent's id. */
  public String fromAgent() {
    return fromAgent;
  }

  /** The addressed agent's id, or null for a broadcast, team or queue message. */
  public @Nullable String toAgent() {
    return toAgent;
  }

  public MessageType messageType() {
    return messageType;
  }

  /** The payload tree; unmodifiable, possibly empty, never null. */
  public Map<String, @Nullable Object> content() {
    return content;
  }

  /**
   * When the message was created, exactly as given to the builder (or decoded): whole
   * milliseconds for messages the bus creates, finer when the sender stamped finer.
   */
  public Instant timestamp() {
    return timestamp;
  }

  /** Ties a reply to its request, or groups a flow for tracing; null when absent. */
  public @Nullable String correlationId() {
    return correlationId;
  }

  /** A builder holding this message's fields, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.fromAgent = fromAgent;
    b.toAgent = toAgent;
    b.messageType = messageType;
    b.content = content;
    b.contentIsCopy = true;
    b.timestamp = timestamp;
    b.correlationId = correlationId;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof AgentMessage)) {
      return false;
    }
    AgentMessage m = (AgentMessage) o;
    return fromAgent.equals(m.fromAgent)
        && Objects.equals(toAgent, m.toAgent)
        && messageType.equals(m.messageType)
        && content.equals(m.content)
        && timestamp.equals(m.timestamp)
        && Objects.equals(correlationId, m.correlationId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fromAgent, toAgent, messageType, content, timestamp, correlationId);
  }

  @Override
  public String toString() {
    return "AgentMessage{from_agent=" + fromAgent + ", to_agent=" + toAgent + ", message_type="
        + messageType + ", content=" + content + ", timestamp=" + timestamp
        + ", correlation_id=" + correlationId + "}";
  }

  /** Builds an {@link AgentMessage}. Not thread-safe; {@link #build()} validates every field. */
  public static final class Builder {
    private @Nullable String fromAgent;
    private @Nullable String toAgent;
    private @Nullable MessageType messageType;
    private Map<String, @Nullable Object> content = Map.of();
    private boolean contentIsCopy = true;
    private boolean contentAdopted;
    private @Nullable Instant timestamp;
    private @Nullable String correlationId;

    private Builder() {}

    /** Required: the sender, a subject token. */
    public Builder fromAgent(String fromAgent) {
      this.fromAgent = fromAgent;
      return this;
    }

    /** The addressee, a subject token; null (the default) for broadcast, team and queue messages. */
    public Builder toAgent(@Nullable String toAgent) {
      this.toAgent = toAgent;
      return this;
    }

    /** Required. */
    public Builder messageType(MessageType messageType) {
      this.messageType = Objects.requireNonNull(messageType, "messageType");
      return this;
    }

    /** The payload tree (see {@link AgentMessage}); copied and validated at {@link #build()}. */
    public Builder content(Map<String, ? extends @Nullable Object> content) {
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> c =
          (Map<String, @Nullable Object>) Objects.requireNonNull(content, "content");
      this.content = c;
      this.contentIsCopy = false;
      this.contentAdopted = false;
      return this;
    }

    /**
     * For codecs: takes ownership of a freshly decoded tree of mutable maps and lists instead of
     * copying it. {@link #build()} validates and normalises it in place and wraps it unmodifiably,
     * exactly as {@link #content(Map)} would copy it. The caller must keep no reference to any
     * part of the tree afterwards; user code should call {@link #content(Map)}.
     */
    public Builder adoptContent(Map<String, @Nullable Object> content) {
      this.content = Objects.requireNonNull(content, "content");
      this.contentIsCopy = false;
      this.contentAdopted = true;
      return this;
    }

    /**
     * When the message was created, kept at full precision (codecs carry it to the nanosecond).
     * Defaults to now, at whole milliseconds.
     */
    public Builder timestamp(Instant timestamp) {
      this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
      return this;
    }

    public Builder correlationId(@Nullable String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a required field is missing or the content holds a value
     *     that is not part of a JSON-like tree
     * @throws InvalidSubjectException if an agent id is not a valid subject token
     */
    public AgentMessage build() {
      return new AgentMessage(this);
    }
  }
}
