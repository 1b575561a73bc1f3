package io.agentbus;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The kind of an {@link AgentMessage}, identified on the wire by its name ({@code status_update},
 * {@code heartbeat}, ...). The eleven types of the seed orchestrator are constants here.
 *
 * <p><b>Unknown types.</b> A newer peer may send a type this version does not know. Such a message
 * is neither rejected nor dropped: it decodes to a {@code MessageType} whose {@link #isKnown()} is
 * false and whose {@link #wireName()} is exactly what was received, so it reaches handlers of its
 * subject, can be logged, relayed or answered, and re-encodes unchanged. Code that switches on
 * types should have a default branch. {@link #of(String)} accepts any wire name that is a valid
 * subject token, because the type appears in subjects.
 *
 * <p>Instances are immutable and compare by wire name.
 */
public final class MessageType {
  /** Known types made so far, while the constants below are initialised. */
  private static int knownSoFar;

  public static final MessageType STATUS_UPDATE = known("status_update");
  public static final MessageType TASK_ASSIGNMENT = known("task_assignment");
  public static final MessageType TASK_COMPLETE = known("task_complete");
  public static final MessageType TASK_FAILED = known("task_failed");
  public static final MessageType QUESTION = known("question");
  public static final MessageType ANSWER = known("answer");
  public static final MessageType BLOCKER = known("blocker");
  public static final MessageType RESOURCE_REQUEST = known("resource_request");
  public static final MessageType RESOURCE_RESPONSE = known("resource_response");
  public static final MessageType COORDINATION_REQUEST = known("coordination_request");
  public static final MessageType HEARTBEAT = known("heartbeat");

  private static final List<MessageType> KNOWN =
      List.of(STATUS_UPDATE, TASK_ASSIGNMENT, TASK_COMPLETE, TASK_FAILED, QUESTION, ANSWER,
          BLOCKER, RESOURCE_REQUEST, RESOURCE_RESPONSE, COORDINATION_REQUEST, HEARTBEAT);
  private static final Map<String, MessageType> BY_NAME =
      KNOWN.stream().collect(Collectors.toUnmodifiableMap(MessageType::wireName, Function.identity()));

  private final String wireName;
  /** The position in {@link #values()} of a known type, -1 for an unknown one. */
  private final int index;

  private MessageType(String wireName, int index) {
    this.wireName = wireName;
    this.index = index;
  }

  private static MessageType known(String wireName) {
    return new MessageType(wireName, knownSoFar++);
  }

  /**
   * The type with this wire name: one of the constants when the name is known, otherwise an
   * unknown type that keeps the name.
   *
   * @throws InvalidSubjectException if the name is empty or not a valid subject token
   */
  public static MessageType of(String wireName) {
    MessageType type = BY_NAME.get(wireName);
    if (type != null) {
      return type;
    }
    Subjects.requireToken("message type", wireName);
    return new MessageType(wireName, -1);
  }

  /** The eleven types this version knows, in the seed's order. */
  public static List<MessageType> values() {
    return KNOWN;
  }

  /** The name on the wire and in subjects, e.g. {@code resource_request}. */
  public String wireName() {
    return wireName;
  }

  /** False for a type sent by a peer that is newer than this version. */
  public boolean isKnown() {
    return index >= 0;
  }

  /** The position of a known type in {@link #values()}, -1 for an unknown type. */
  int index() {
    return index;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof MessageType && ((MessageType) o).wireName.equals(wireName);
  }

  @Override
  public int hashCode() {
    return wireName.hashCode();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
