package io.agentbus.opentelemetry;

import io.agentbus.AgentMessage;
import io.agentbus.spi.RetryObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The span of one retried request, {@code retried request <subject>}: started on the caller's
 * thread with the caller's context as parent, it is the parent of every attempt's client span
 * (each with {@link #ATTEMPT}), even of those sent later from the bus's scheduler, and carries an
 * {@code agentbus.retry} event per retry and an {@code agentbus.fallback} event when the caller's
 * fallback answers. Its status is an error when the request ended with no reply and no fallback.
 */
final class RetrySpan implements RetryObserver {
  /** On each attempt's client span: 1 for the first attempt. */
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("agentbus.retry.attempt");
  /** On the retried request's span at its end: how many attempts were sent. */
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("agentbus.retry.attempts");
  /** On an {@code agentbus.retry} event: the wait before the next attempt. */
  static final AttributeKey<Long> BACKOFF_MS = AttributeKey.longKey("agentbus.retry.backoff_ms");
  static final String RETRY_EVENT = "agentbus.retry";
  static final String FALLBACK_EVENT = "agentbus.fallback";

  /** The number of the attempt whose request span is being made. */
  static final ContextKey<Long> ATTEMPT_KEY = ContextKey.named("agentbus-retry-attempt");

  private final Span span;
  private final Context context;

  RetrySpan(Span span, Context parent) {
    this.span = span;
    this.context = parent.with(span);
  }

  /** The attempt number a request span made in {@code context} carries, or null if none. */
  static @Nullable Long attemptOf(Context context) {
    return context.get(ATTEMPT_KEY);
  }

  @Override
  public CompletableFuture<AgentMessage> attempt(int attempt,
      Supplier<CompletableFuture<AgentMessage>> send) {
    try (Scope ignored = context.with(ATTEMPT_KEY, (long) attempt).makeCurrent()) {
      return send.get();
    }
  }

  @Override
  public void retrying(int attempt, Throwable cause, Duration backoff) {
    span.addEvent(RETRY_EVENT, Attributes.of(ATTEMPT, (long) attempt,
        TracingInterceptor.ERROR_TYPE, cause.getClass().getName(), BACKOFF_MS, backoff.toMillis()));
  }

  @Override
  public void succeeded(int attempt) {
    span.setAttribute(ATTEMPTS, (long) attempt);
    span.end();
  }

  @Override
  public void gaveUp(int attempts, Throwable cause, boolean fallback) {
    span.setAttribute(ATTEMPTS, (long) attempts);
    span.setAttribute(TracingInterceptor.ERROR_TYPE, cause.getClass().getName());
    if (fallback) {
      span.addEvent(FALLBACK_EVENT, Attributes.of(ATTEMPTS, (long) attempts,
          TracingInterceptor.ERROR_TYPE, cause.getClass().getName()));
    } else {
      span.recordException(cause);
      span.setStatus(StatusCode.ERROR, cause.getClass().getSimpleName() + ": "
          + cause.getMessage());
    }
    span.end();
  }
}
