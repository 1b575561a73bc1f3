package io.agentbus.spi;

import io.agentbus.AgentMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Watches one retried request (an {@link io.agentbus.RetriedRequest}) from its first attempt to
 * its end, for tracing and metrics: {@link MessageInterceptor#observeRetries} makes one per
 * request, on the caller's thread. Its methods are called one at a time, in order, though not
 * always on the same thread (later attempts run on the bus's scheduler). Must not throw. Every
 * method has a default that does nothing.
 */
public interface RetryObserver {
  /** Watches nothing. */
  RetryObserver NONE = new RetryObserver() {};

  /**
   * Sends attempt {@code attempt} (1 for the first): calls {@code send} and returns its future,
   * for example with a trace context current around the call, so that the attempt's request span
   * has a parent and knows its number. The default just calls {@code send}.
   */
  default CompletableFuture<AgentMessage> attempt(int attempt,
      Supplier<CompletableFuture<AgentMessage>> send) {
    return send.get();
  }

  /** Attempt {@code attempt} failed with {@code cause}; the next one follows in {@code backoff}. */
  default void retrying(int attempt, Throwable cause, Duration backoff) {}

  /** Attempt {@code attempt} got the reply; the request is over. */
  default void succeeded(int attempt) {}

  /**
   * The request ended without a reply after {@code attempts} attempts, the last failing with
   * {@code cause}; {@code fallback} says whether the caller's fallback supplies the reply.
   */
  default void gaveUp(int attempts, Throwable cause, boolean fallback) {}
}
