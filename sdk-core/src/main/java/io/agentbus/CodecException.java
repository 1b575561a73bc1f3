package io.agentbus;

import org.jspecify.annotations.Nullable;

/** Bytes could not be decoded into an {@link AgentMessage}, or a message could not be encoded. */
public final class CodecException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
