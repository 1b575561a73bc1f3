package io.agentbus.agent.monitor;

import io.agentbus.Delivery;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's one job of passing on what agents report going wrong: {@code task_failed} and
 * {@code blocker} broadcasts to their handlers; other messages are not its business. Thread-safe
 * if its handlers are.
 */
final class IncidentRouter {
  private static final Logger log = LoggerFactory.getLogger(IncidentRouter.class);

  /** The default {@code task_failed} handler: logs at warn. */
  static final MessageHandler LOG_TASK_FAILED = d -> log.warn(
      "Agent '{}' reports a failed task: {}", d.message().fromAgent(), d.message().content());
  /** The default {@code blocker} handler: logs at warn. */
  static final MessageHandler LOG_BLOCKER = d -> log.warn("Agent '{}' is blocked: {}",
      d.message().fromAgent(), d.message().content());

  private final MessageHandler onTaskFailed;
  private final MessageHandler onBlocker;

  IncidentRouter(MessageHandler onTaskFailed, MessageHandler onBlocker) {
    this.onTaskFailed = onTaskFailed;
    this.onBlocker = onBlocker;
  }

  /** Hands {@code d} to the handler for its type, if it has one; what it throws goes to the bus. */
  void route(Delivery d) throws Exception {
    MessageType type = d.message().messageType();
    if (type.equals(MessageType.TASK_FAILED)) {
      onTaskFailed.onMessage(d);
    } else if (type.equals(MessageType.BLOCKER)) {
      onBlocker.onMessage(d);
    }
  }
}
