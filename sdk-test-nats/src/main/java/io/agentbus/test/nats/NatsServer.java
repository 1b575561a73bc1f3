package io.agentbus.test.nats;

/**
 * A NATS server a test talks to. Obtained from {@link NatsServerExtension}; stopped by it after
 * the tests.
 *
 * <p>A server the extension started itself ({@link Kind#PROCESS}, {@link Kind#CONTAINER}) can be
 * stopped and started again on the same port, which is how reconnect tests take the server away
 * from a connected client. A server given by {@code NATS_URL} ({@link Kind#EXTERNAL}) cannot.
 *
 * <p>Thread-safe.
 */
public interface NatsServer {

  /** Where the server came from. */
  enum Kind {
    /** Given by the {@code NATS_URL} environment variable; not managed by the tests. */
    EXTERNAL,
    /** A {@code nats-server} process started by the extension on a loopback port. */
    PROCESS,
    /** A container of the official {@code nats} image started through Testcontainers. */
    CONTAINER
  }

  /**
   * The client URL, e.g. {@code nats://127.0.0.1:40123}. Carries no credentials: a server
   * started with a user or token expects the client to present them separately. For an {@link
   * Kind#EXTERNAL} server this is {@code NATS_URL} as given (it may list several servers).
   */
  String url();

  /** The host clients connect to. */
  String host();

  /** The client port; it stays the same across {@link #stop()} and {@link #start()}. */
  int port();

  Kind kind();

  /** True while the server accepts connections (as far as the extension knows). */
  boolean isRunning();

  /** True when {@link #stop()} and {@link #start()} are supported (not for {@code NATS_URL}). */
  boolean canRestart();

  /**
   * Stops the server; connected clients lose their connection. Idempotent.
   *
   * @throws UnsupportedOperationException for an {@link Kind#EXTERNAL} server
   */
  void stop();

  /**
   * Starts a stopped server again on the same port with the same settings, and returns when it
   * accepts connections. Does nothing if it is running.
   *
   * @throws UnsupportedOperationException for an {@link Kind#EXTERNAL} server
   * @throws IllegalStateException if the server did not come up; the message holds its log
   */
  void start();

  /** {@link #stop()} then {@link #start()}. */
  default void restart() {
    stop();
    start();
  }
}
