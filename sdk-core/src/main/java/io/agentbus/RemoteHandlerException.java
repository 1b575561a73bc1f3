package io.agentbus;

/**
 * The responding agent's handler threw while handling a request; the responder told the requester
 * at once rather than letting it wait for its timeout. The message carries the remote error text.
 */
public final class RemoteHandlerException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  public RemoteHandlerException(String subject, String remoteError) {
    super("The responder on '" + subject + "' failed: " + remoteError);
  }
}
