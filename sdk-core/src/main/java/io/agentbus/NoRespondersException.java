package io.agentbus;

/**
 * A request was sent to a subject that nobody subscribes to, so it failed at once instead of
 * waiting for its timeout. Retriable: the responder may simply not have started yet.
 */
public final class NoRespondersException extends AgentBusException implements Retriable {
  private static final long serialVersionUID = 1L;
  private final String subject;

  public NoRespondersException(String subject) {
    super("No responders for a request on '" + subject + "': no agent subscribes to it");
    this.subject = subject;
  }

  /** The subject the request was sent to. */
  public String subject() {
    return subject;
  }
}
