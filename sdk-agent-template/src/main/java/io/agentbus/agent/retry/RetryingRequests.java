package io.agentbus.agent.retry;

import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.NoRespondersException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.RetriedRequest;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests that are tried again, then fall back: the seed's "handle timeouts: the agent might be
 * down, use a fallback", once for every caller.
 *
 * <pre>{@code
 * RetryingRequests requests = RetryingRequests.builder(bus).defaultPolicy(RetryPolicy.DEFAULTS).build();
 * AgentMessage schema = requests.request(question, Duration.ofSeconds(2), RetryPolicy.DEFAULTS,
 *     error -> cachedSchema(question)).get();
 * }</pre>
 *
 * <p>Each attempt is {@link MessageBus#requestAsync} of the same message (same {@code
 * correlation_id}) to its {@code to_agent}'s direct subject. {@link NoRespondersException} and
 * {@link RequestTimeoutException} are retried; a {@link RemoteHandlerException} only when the
 * policy says so; anything else fails at once. Backoffs and the overall deadline are timed by the
 * bus's scheduler. When no attempt succeeds the fallback, if any, supplies the reply; otherwise the
 * future fails with the last error, the earlier ones attached as suppressed. Counted in {@link
 * #stats()}, and through {@link MessageBus#retriedRequest} in the bus's {@link
 * io.agentbus.BusStats#retries()} and by its interceptors (meters and spans when the
 * observability modules are on).
 *
 * <p>Thread-safe.
 */
public final class RetryingRequests {
  private static final Logger log = LoggerFactory.getLogger(RetryingRequests.class);

  private final MessageBus bus;
  private final Scheduler scheduler;
  private final RetryPolicy defaultPolicy;
  private final LongAdder requests = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder fallbacks = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /** What a {@link RetryingRequests} did so far. */
  public record Stats(long requests, long retries, long fallbacks, long failures) {}

  private RetryingRequests(Builder b) {
    this.bus = b.bus;
    this.scheduler = bus.scheduler();
    this.defaultPolicy = b.defaultPolicy;
  }

  /** A builder for requests on {@code bus}. */
  public static Builder builder(MessageBus bus) {
    return new Builder(Objects.requireNonNull(bus, "bus"));
  }

  /** {@link #request(AgentMessage, Duration, RetryPolicy, Function)} by the default policy, no fallback. */
  public CompletableFuture<AgentMessage> request(AgentMessage message, Duration attemptTimeout) {
    return request(message, attemptTimeout, defaultPolicy, null);
  }

  /**
   * Sends {@code message} as a request to its {@code to_agent}, by {@code policy}.
   *
   * @param attemptTimeout the timeout of each attempt (cut to what is left of the deadline)
   * @param fallback given the last error, the reply to use when no attempt succeeded; null for
   *     none (the future then fails with that error)
   * @throws IllegalArgumentException if the message has no {@code to_agent}
   */
  public CompletableFuture<AgentMessage> request(AgentMessage message, Duration attemptTimeout,
      RetryPolicy policy, @Nullable Function<Throwable, AgentMessage> fallback) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    Objects.requireNonNull(policy, "policy");
    String to = message.toAgent();
    if (to == null) {
      throw new IllegalArgumentException("A retried request needs a to_agent; this "
          + message.messageType() + " from " + message.fromAgent() + " has none");
    }
    requests.increment();
    RetriedRequest retried =
        bus.retriedRequest(bus.subjects().direct(to, message.messageType()), message);
    Call call = new Call(retried, attemptTimeout, policy, fallback,
        scheduler.now().plus(policy.overallDeadline()));
    call.attempt(1, null);
    return call.result;
  }

  /** What was done so far. */
  public Stats stats() {
    return new Stats(requests.sum(), retries.sum(), fallbacks.sum(), failures.sum());
  }

  private final class Call {
    final RetriedRequest request;
    final String subject;
    final Duration attemptTimeout;
    final RetryPolicy policy;
    final @Nullable Function<Throwable, AgentMessage> fallback;
    final Instant deadline;
    final CompletableFuture<AgentMessage> result = new CompletableFuture<>();

    Call(RetriedRequest request, Duration attemptTimeout, RetryPolicy policy,
        @Nullable Function<Throwable, AgentMessage> fallback, Instant deadline) {
      this.request = request;
      this.subject = request.subject();
      this.attemptTimeout = attemptTimeout;
      this.policy = policy;
      this.fallback = fallback;
      this.deadline = deadline;
    }

    void attempt(int n, @Nullable Throwable previous) {
      Duration left = Duration.between(scheduler.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        giveUp(previous != null ? previous : new RequestTimeoutException(subject, Duration.ZERO),
            n - 1);
        return;
      }
      Duration timeout = attemptTimeout.compareTo(left) < 0 ? attemptTimeout : left;
      CompletableFuture<AgentMessage> f;
      try {
        f = request.attempt(n, timeout);
      } catch (RuntimeException e) {
        failed(n, e, previous);
        return;
      }
      f.whenComplete((reply, error) -> {
        if (error == null) {
          result.complete(reply);
        } else {
          failed(n, error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error, previous);
        }
      });
    }

    void failed(int n, Throwable error, @Nullable Throwable previous) {
      if (previous != null && previous != error) {
        error.addSuppressed(previous);
      }
      boolean retriable = error instanceof NoRespondersException
          || error instanceof RequestTimeoutException
          || (error instanceof RemoteHandlerException && policy.retryOnRemoteError());
      Duration backoff = policy.backoff(n);
      if (!retriable || n >= policy.maxAttempts()
          || !scheduler.now().plus(backoff).isBefore(deadline)) {
        giveUp(error, n);
        return;
      }
      log.debug("Request to '{}' failed (attempt {} of {}): {}; again in {}", subject, n,
          policy.maxAttempts(), error, backoff);
      request.retrying(n, error, backoff);
      scheduler.schedule(backoff, () -> attempt(n + 1, error));
      retries.increment(); // once the retry is on the clock
    }

    void giveUp(Throwable error, int attempts) {
      request.gaveUp(attempts, error, fallback != null);
      if (fallback != null) {
        fallbacks.increment();
        log.info("Request to '{}' failed after {} attempt(s) ({}); using the fallback", subject,
            attempts, error.toString());
        try {
          result.complete(Objects.requireNonNull(fallback.apply(error),
              "the fallback returned null"));
        } catch (RuntimeException e) {
          e.addSuppressed(error);
          result.completeExceptionally(e);
        }
        return;
      }
      failures.increment();
      result.completeExceptionally(error instanceof RuntimeException ? error
          : new AgentBusException("Request to '" + subject + "' failed: " + error, error));
    }
  }

  /** Builds {@link RetryingRequests}; not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private RetryPolicy defaultPolicy = RetryPolicy.DEFAULTS;

    private Builder(MessageBus bus) {
      this.bus = bus;
    }

    /** The policy of {@link #request(AgentMessage, Duration)}; default {@link RetryPolicy#DEFAULTS}. */
    public Builder defaultPolicy(RetryPolicy policy) {
      this.defaultPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The requests. */
    public RetryingRequests build() {
      return new RetryingRequests(this);
    }
  }
}
