package io.agentbus;

import org.jspecify.annotations.Nullable;

/** A setting is missing or has a value AgentBus cannot use. The message names the key. */
public final class ConfigurationException extends AgentBusException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
