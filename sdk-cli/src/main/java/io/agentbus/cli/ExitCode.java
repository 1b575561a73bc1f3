package io.agentbus.cli;

/** The exit codes of every command; documented in docs/cli.md, so scripts can rely on them. */
final class ExitCode {
  /** The command did what it was asked. */
  static final int OK = 0;
  /** An unexpected failure (the message says what). */
  static final int FAILED = 1;
  /** The command line itself was wrong (unknown option, missing argument). */
  static final int USAGE = 2;
  /** No NATS server could be reached. */
  static final int NO_SERVER = 3;
  /** The server refused: wrong credentials or no permission for the subject. */
  static final int PERMISSION_DENIED = 4;
  /** What was named does not exist: no agent answers, no such dead letter or queue. */
  static final int NOT_FOUND = 5;
  /** A request got no reply in time. */
  static final int TIMEOUT = 6;
  /** The input was invalid: content that is not JSON, a bad setting. */
  static final int INVALID_INPUT = 7;
  /** Some, not all, of a batch failed (dlq replay). */
  static final int PARTIAL = 8;

  private ExitCode() {}
}
