package io.agentbus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Message headers: an ordered multimap of names to values, travelling beside the payload as NATS
 * headers do. Names are case-sensitive, printable ASCII without {@code :}; values hold no CR or LF.
 * AgentBus sends only what the payload does not already say: {@link #CONTENT_TYPE} for a codec
 * whose payloads a receiver cannot {@linkplain io.agentbus.spi.Codec#recognizes recognize} (JSON
 * and Protobuf need none), and its own headers on dead letters, failed replies and durable-queue
 * items; interceptors may add their own (trace context, signatures).
 *
 * <p>Immutable and thread-safe; build with {@link #builder()} or {@link #toBuilder()}.
 */
public final class Headers {
  /**
   * The codec the payload was encoded with, e.g. {@code application/protobuf}. Absent means JSON,
   * or a payload a registered codec recognizes (Protobuf).
   */
  public static final String CONTENT_TYPE = "Content-Type";
  /** On dead letters and failed replies: what went wrong. */
  public static final String ERROR = "AgentBus-Error";
  /** On dead letters: the subject the message was originally received on. */
  public static final String ORIGINAL_SUBJECT = "AgentBus-Original-Subject";
  /**
   * On messages of queues: the id that makes a retried publish of a durable queue be stored once.
   * A transport carries it in its own de-duplication header where it has one: the NATS transport
   * sends and receives it as JetStream's {@code Nats-Msg-Id}, so that the server de-duplicates
   * and a plain NATS client (the seed's Python agents) can set it too.
   */
  public static final String MESSAGE_ID = "AgentBus-Msg-Id";
  /** On dead letters from a durable queue: how many times the item was delivered. */
  public static final String DELIVERY_COUNT = "AgentBus-Delivery-Count";
  /** On dead letters from a durable queue: the stream the item was stored in. */
  public static final String ORIGINAL_STREAM = "AgentBus-Original-Stream";
  /** On dead letters from a durable queue: the item's sequence in its stream. */
  public static final String ORIGINAL_SEQUENCE = "AgentBus-Original-Sequence";
  /**
   * On dead letters from a durable queue: the item's own message id. The dead letter's {@link
   * #MESSAGE_ID} is {@code <original stream>/<original id>}, so that items of two queues that
   * happen to share an id (a task id) are both kept in the one dead-letter stream.
   */
  public static final String ORIGINAL_MESSAGE_ID = "AgentBus-Original-Msg-Id";
  /**
   * On the messages of a task ({@code task_assignment}, {@code status_update}, {@code
   * task_complete}, {@code task_failed} whose content has a string {@code task_id}): a copy of that
   * id, for tools that follow a task without decoding payloads. The content's {@code task_id} is
   * authoritative; a peer may leave the header out.
   */
  public static final String TASK_ID = "AgentBus-Task-Id";

  private static final Headers EMPTY = new Headers(Map.of());

  private final Map<String, List<String>> map;

  private Headers(Map<String, List<String>> map) {
    this.map = map;
  }

  public static Headers empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Headers holding one name with one value. */
  public static Headers of(String name, String value) {
    return new Headers(Map.of(name, List.of(Builder.checkValue(Builder.checkName(name), value))));
  }

  /** The first value of {@code name}, or null. */
  public @Nullable String first(String name) {
    List<String> values = map.get(name);
    return values == null ? null : values.get(0);
  }

  /** Every value of {@code name}, in order; empty when absent. */
  public List<String> all(String name) {
    return map.getOrDefault(name, List.of());
  }

  public boolean contains(String name) {
    return map.containsKey(name);
  }

  /** The names, in insertion order. */
  public Set<String> names() {
    return map.keySet();
  }

  /** An unmodifiable view of names to values. */
  public Map<String, List<String>> asMap() {
    return map;
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  /**
   * These headers with {@code name} set to the single value {@code value} (replacing any values it
   * had); a shortcut for {@code toBuilder().set(name, value).build()} that copies once.
   *
   * @throws IllegalArgumentException if the name is empty or not printable ASCII without ':', or
   *     the value holds CR or LF
   */
  public Headers with(String name, String value) {
    List<String> single = List.of(Builder.checkValue(Builder.checkName(name), value));
    if (map.isEmpty()) {
      return new Headers(Map.of(name, single));
    }
    Map<String, List<String>> copy = new LinkedHashMap<>(map);
    copy.put(name, single);
    return new Headers(Collections.unmodifiableMap(copy));
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    map.forEach((k, v) -> b.map.put(k, new ArrayList<>(v)));
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Headers && ((Headers) o).map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return map.toString();
  }

  /** Builds {@link Headers}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<String>> map = new LinkedHashMap<>();

    private Builder() {}

    /** Adds a value to {@code name}, keeping earlier values. */
    public Builder add(String name, String value) {
      map.computeIfAbsent(checkName(name), k -> new ArrayList<>(1)).add(checkValue(name, value));
      return this;
    }

    /** Replaces every value of {@code name} with {@code value}. */
    public Builder set(String name, String value) {
      List<String> values = new ArrayList<>(1);
      values.add(checkValue(name, value));
      map.put(checkName(name), values);
      return this;
    }

    public Builder remove(String name) {
      map.remove(name);
      return this;
    }

    public Headers build() {
      if (map.isEmpty()) {
        return EMPTY;
      }
      Map<String, List<String>> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new Headers(Collections.unmodifiableMap(copy));
    }

    private static String checkName(String name) {
      Objects.requireNonNull(name, "header name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("Header name must not be empty");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c <= ' ' || c >= 127 || c == ':') {
          throw new IllegalArgumentException("Invalid header name '" + name
              + "': only printable ASCII without ':' or spaces is allowed (index " + i + ")");
        }
      }
      return name;
    }

    private static String checkValue(String name, String value) {
      Objects.requireNonNull(value, () -> "value of header " + name);
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("Value of header '" + name
            + "' must not contain CR or LF");
      }
      return value;
    }
  }
}
