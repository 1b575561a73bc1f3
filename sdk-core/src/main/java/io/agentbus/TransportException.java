package io.agentbus;

import org.jspecify.annotations.Nullable;

/**
 * The transport failed: the connection is closed, the outgoing buffer is full while reconnecting,
 * the server refused the operation. {@link #isRetriable()} tells whether trying again may help.
 */
public class TransportException extends AgentBusException {
  private static final long serialVersionUID = 1L;
  private final boolean retriable;

  public TransportException(String message, @Nullable Throwable cause, boolean retriable) {
    super(message, cause);
    this.retriable = retriable;
  }

  public TransportException(String message) {
    this(message, null, false);
  }

  @Override
  public boolean isRetriable() {
    return retriable || super.isRetriable();
  }
}
