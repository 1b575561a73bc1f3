package io.agentbus;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A live subscription made through {@link MessageBus}. For a work queue it covers every worker.
 * Thread-safe; closing is idempotent.
 */
public interface Subscription extends AutoCloseable {
  /** The subject or pattern subscribed to. */
  String subject();

  /** False once unsubscribed, drained or closed with the bus. */
  boolean isActive();

  /** Stops delivery at once; messages not yet handled are dropped and counted. */
  void unsubscribe();

  /**
   * Stops taking new messages and lets the handler finish those already received. Completes when
   * done, or exceptionally with a {@link TransportException} after {@code timeout}.
   */
  CompletableFuture<Void> drain(Duration timeout);

  /** Same as {@link #unsubscribe()}. */
  @Override
  default void close() {
    unsubscribe();
  }
}
