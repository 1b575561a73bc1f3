package io.agentbus;

import java.time.Duration;

/** A request reached at least one responder (or could not be told apart) but no reply came in time. */
public final class RequestTimeoutException extends AgentBusException implements Retriable {
  private static final long serialVersionUID = 1L;
  private final String subject;
  private final Duration timeout;

  public RequestTimeoutException(String subject, Duration timeout) {
    super("No reply on '" + subject + "' within " + timeout.toMillis() + " ms");
    this.subject = subject;
    this.timeout = timeout;
  }

  /** The subject the request was sent to. */
  public String subject() {
    return subject;
  }

  /** How long the requester waited. */
  public Duration timeout() {
    return timeout;
  }
}
