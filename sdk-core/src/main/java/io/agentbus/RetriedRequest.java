package io.agentbus;

import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.RetryObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One request that a retry policy sends, perhaps several times: the bus's side of a retry loop,
 * so that what the loop does is counted in {@link BusStats#retries()} and seen by interceptors
 * (the observability modules' meters and spans) whatever policy drives it. The policy itself (when
 * to try again, how long to wait, what to fall back to) belongs to the caller, such as the agent
 * template's {@code RetryingRequests}; get one from {@link MessageBus#retriedRequest}.
 *
 * <p>The caller sends each attempt with {@link #attempt}, says when it will try again with {@link
 * #retrying}, and ends a request that got no reply with {@link #gaveUp}. Attempts after the first
 * are counted as retried when sent, and as succeeded when one of them gets the reply.
 *
 * <p>Not thread-safe: meant for one retry loop, whose steps follow one another.
 */
public final class RetriedRequest {
  private final String subject;
  private final AgentMessage message;
  private final RequestReply requests;
  private final BusMetrics metrics;
  private final List<RetryObserver> observers;
  private volatile boolean over;

  RetriedRequest(String subject, AgentMessage message, RequestReply requests, BusMetrics metrics,
      List<MessageInterceptor> interceptors) {
    this.subject = subject;
    this.message = message;
    this.requests = requests;
    this.metrics = metrics;
    List<RetryObserver> watching = new ArrayList<>(interceptors.size());
    for (MessageInterceptor i : interceptors) {
      watching.add(Objects.requireNonNull(i.observeRetries(subject, message),
          () -> i + ".observeRetries returned null"));
    }
    this.observers = List.copyOf(watching);
  }

  /** Where each attempt goes. */
  public String subject() {
    return subject;
  }

  /**
   * Sends attempt {@code attempt} of the request, as {@link MessageBus#requestAsync} does, and
   * completes with its reply or its error. Cancelling the future abandons the attempt.
   *
   * @param attempt 1 for the first attempt, one more for each following
   * @param timeout this attempt's timeout
   * @throws IllegalArgumentException if {@code attempt} is below 1
   * @throws IllegalStateException if the request already ended, or the bus is closed
   */
  public CompletableFuture<AgentMessage> attempt(int attempt, Duration timeout) {
    if (attempt < 1) {
      throw new IllegalArgumentException("RetriedRequest to '" + subject
          + "': attempt must be 1 or more, was " + attempt);
    }
    Objects.requireNonNull(timeout, "timeout");
    requireOpen();
    if (attempt > 1) {
      metrics.retried.increment();
    }
    CompletableFuture<AgentMessage> raw =
        around(0, attempt, () -> requests.requestAsync(subject, message, timeout));
    // counted before the caller sees the reply, so its stats are exact once it has it
    CompletableFuture<AgentMessage> result = raw.whenComplete((reply, error) -> {
      if (error == null) {
        over = true;
        if (attempt > 1) {
          metrics.retrySucceeded.increment();
        }
        observers.forEach(o -> o.succeeded(attempt));
      }
    });
    result.whenComplete((reply, error) -> {
      if (error instanceof CancellationException) {
        raw.cancel(false);
      }
    });
    return result;
  }

  private CompletableFuture<AgentMessage> around(int index, int attempt,
      Supplier<CompletableFuture<AgentMessage>> send) {
    if (index == observers.size()) {
      return send.get();
    }
    return observers.get(index).attempt(attempt, () -> around(index + 1, attempt, send));
  }

  /**
   * Attempt {@code attempt} failed with {@code cause} and the caller will send the next after
   * {@code backoff}.
   */
  public void retrying(int attempt, Throwable cause, Duration backoff) {
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(backoff, "backoff");
    requireOpen();
    Throwable why = DurableWorkQueue.unwrap(cause);
    observers.forEach(o -> o.retrying(attempt, why, backoff));
  }

  /**
   * The request ends without a reply after {@code attempts} attempts (0 if the deadline passed
   * before the first), the last error being {@code cause}: counted as given up by that cause, and
   * as a fallback when {@code fallback} says the caller's fallback supplies the reply.
   *
   * @throws IllegalStateException if the request already ended
   */
  public void gaveUp(int attempts, Throwable cause, boolean fallback) {
    Objects.requireNonNull(cause, "cause");
    requireOpen();
    over = true;
    Throwable why = DurableWorkQueue.unwrap(cause);
    if (why instanceof NoRespondersException) {
      metrics.gaveUpNoResponders.increment();
    } else if (why instanceof RequestTimeoutException) {
      metrics.gaveUpTimeout.increment();
    } else {
      metrics.gaveUpOther.increment();
    }
    if (fallback) {
      metrics.fallbacks.increment();
    }
    observers.forEach(o -> o.gaveUp(attempts, why, fallback));
  }

  private void requireOpen() {
    if (over) {
      throw new IllegalStateException("RetriedRequest to '" + subject + "' ("
          + message.correlationId() + ") already ended");
    }
  }

  @Override
  public String toString() {
    return "RetriedRequest{" + subject + ", " + message.messageType() + " from "
        + message.fromAgent() + "}";
  }
}
