package io.agentbus.agent.task;

import io.agentbus.AgentBusException;

/**
 * Thrown inside a {@link TaskHandler} by {@link TaskContext#throwIfCanceled()} and {@link
 * TaskContext#requestInput} once the task was canceled (by its requester, because the requester
 * went away, or because the assignee's {@link Tasks} closed). Let it propagate: the task then ends
 * {@link TaskState#CANCELED}.
 */
public final class TaskCanceledException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  /** A cancellation with {@code reason}. */
  public TaskCanceledException(String reason) {
    super(reason);
  }
}
