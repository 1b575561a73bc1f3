package ${package};

import io.agentbus.MessageType;

/** Placeholder while the template lands. */
public final class ${agentClassName} {
  public static final String ID = "${agentId}";

  public static MessageType replyType() {
    return MessageType.RESOURCE_RESPONSE;
  }
}
