package io.agentbus.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** One subscription of a {@link Transport}. Thread-safe. */
public interface TransportSubscription {
  /** The subject or pattern subscribed to. */
  String subject();

  /** The queue group, or null for a plain subscription. */
  @Nullable String queueGroup();

  /**
   * Stops delivery at once; messages already waiting are discarded and counted as dropped.
   * Idempotent.
   */
  void unsubscribe();

  /**
   * Stops taking new messages, lets the handler finish those already received, then unsubscribes.
   * The future completes when the last one is handled, or exceptionally after {@code timeout}.
   */
  CompletableFuture<Void> drain(Duration timeout);

  /** False once unsubscribed, drained or closed with its transport. */
  boolean isActive();

  /** Messages received and not yet handed to the handler. */
  long pendingMessages();

  /** Messages handed to the handler (whether or not it threw). */
  long deliveredMessages();

  /** Messages dropped because the subscription fell too far behind (slow consumer) or closed. */
  long droppedMessages();
}
