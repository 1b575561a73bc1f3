package io.agentbus.cli;

import org.jspecify.annotations.Nullable;

/** A failure the user can act on: one line, naming the fix, and the exit code it ends with. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  CliException(int exitCode, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
