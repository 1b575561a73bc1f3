package io.agentbus;

/**
 * A subject, subject pattern, queue group or identifier (agent, team, queue, namespace, message
 * type) is not valid. The message names the value and the rule it broke.
 */
public final class InvalidSubjectException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  public InvalidSubjectException(String message) {
    super(message);
  }
}
