package io.agentbus;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception AgentBus throws. Unchecked: callers catch what they can act on
 * ({@link RequestTimeoutException}, {@link NoRespondersException}, ...) and let the rest propagate.
 *
 * <p>Failures worth retrying as they are (a timeout, nobody listening yet, a connection that is
 * reconnecting) implement {@link Retriable}.
 */
public class AgentBusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AgentBusException(String message) {
    super(message);
  }

  public AgentBusException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** True when the same call may succeed if simply tried again later. */
  public boolean isRetriable() {
    return this instanceof Retriable;
  }
}
