package io.agentbus;

import java.util.Locale;

/**
 * The server refused an operation this client's identity has no permission for: publishing (or
 * sending a request) to a subject, or subscribing to one. Not retriable: the same call fails
 * until the server's permissions or the client's credentials change. On NATS the permissions are
 * the server's {@code authorization} block (see {@code docs/security.md}).
 */
public final class PermissionDeniedException extends TransportException {
  private static final long serialVersionUID = 1L;

  /** What was refused. */
  public enum Operation {
    PUBLISH,
    SUBSCRIBE
  }

  private final Operation operation;
  private final String subject;

  public PermissionDeniedException(Operation operation, String subject, String detail) {
    super("The server denied permission to " + operation.name().toLowerCase(Locale.ROOT)
        + " to '" + subject + "'" + detail, null,
        false);
    this.operation = operation;
    this.subject = subject;
  }

  /** Whether a publish (or request) or a subscription was refused. */
  public Operation operation() {
    return operation;
  }

  /** The subject (or, for a subscription, the pattern) refused. */
  public String subject() {
    return subject;
  }
}
