package io.agentbus.transport.nats;

import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportMessage;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What becomes of the requests of one {@link NatsTransport} once sent: the timeout of each, its
 * future completed off the connection's threads, jnats' failures translated (no responders,
 * timeout, closed), and the count of requests still open. The transport sends; this class waits.
 * Nothing stays behind a completed, timed-out or cancelled request. Thread-safe.
 */
final class NatsRequests {
  private final NatsTransportState state;
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor completions;
  private final AtomicInteger openRequests = new AtomicInteger();

  /**
   * @param timer runs the timeouts
   * @param completions completes the futures, so that dependent stages cannot block jnats
   */
  NatsRequests(NatsTransportState state, ScheduledThreadPoolExecutor timer,
      ThreadPoolExecutor completions) {
    this.state = state;
    this.timer = timer;
    this.completions = completions;
  }

  /** The reply to a request just sent as {@code natsFuture}, completing on a transport thread. */
  CompletableFuture<TransportMessage> reply(String subject, Duration timeout,
      CompletableFuture<Message> natsFuture) {
    openRequests.incrementAndGet();
    CompletableFuture<TransportMessage> result = new CompletableFuture<>();
    ScheduledFuture<?> timeoutTask;
    try {
      timeoutTask = timer.schedule(() -> {
        if (!result.isDone()) {
          completeLater(result, null, new RequestTimeoutException(subject, timeout));
        }
        natsFuture.cancel(false);
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      natsFuture.cancel(false);
      openRequests.decrementAndGet();
      throw state.closedException(e);
    }
    natsFuture.whenComplete((reply, error) -> {
      timeoutTask.cancel(false);
      if (error == null) {
        completeLater(result, HeaderMapping.fromNats(reply), null);
      } else {
        completeLater(result, null, requestFailure(subject, timeout, error));
      }
    });
    result.whenComplete((r, e) -> {
      openRequests.decrementAndGet();
      if (e instanceof CancellationException) {
        timeoutTask.cancel(false);
        natsFuture.cancel(false);
      }
    });
    return result;
  }

  /**
   * Waits on the calling thread for the reply to a request just sent as {@code natsFuture}, with
   * the timeout of a timed wait: no timer task and no completing thread stand between the reply
   * and the caller.
   */
  TransportMessage awaitReply(String subject, Duration timeout,
      CompletableFuture<Message> natsFuture) throws InterruptedException {
    openRequests.incrementAndGet();
    try {
      return HeaderMapping.fromNats(natsFuture.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      natsFuture.cancel(false);
      throw new RequestTimeoutException(subject, timeout);
    } catch (ExecutionException e) {
      throw requestFailure(subject, timeout, e.getCause());
    } catch (CancellationException e) {
      throw requestFailure(subject, timeout, e); // jnats gave up on it, or the connection closed
    } catch (InterruptedException e) {
      natsFuture.cancel(false);
      throw e;
    } finally {
      openRequests.decrementAndGet();
    }
  }

  private RuntimeException requestFailure(String subject, Duration timeout, Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof NoRespondersException) {
      return (NoRespondersException) t; // from NatsReplies
    }
    if (t instanceof io.agentbus.PermissionDeniedException) {
      return (io.agentbus.PermissionDeniedException) t;
    }
    if (t instanceof JetStreamStatusException
        && ((JetStreamStatusException) t).getStatus().isNoResponders()) {
      return new NoRespondersException(subject);
    }
    if (!state.isOpen()) {
      return new TransportException("The NATS transport closed before a reply to the request on '"
          + subject + "' came", t, false);
    }
    if (t instanceof CancellationException || t instanceof TimeoutException) {
      return new RequestTimeoutException(subject, timeout);
    }
    return new TransportException("The request on '" + subject + "' failed: " + t, t, false);
  }

  // Completes off the connection's threads, so that dependent stages cannot block jnats.
  private <T> void completeLater(CompletableFuture<T> f, @Nullable T value,
      @Nullable Throwable error) {
    Runnable complete = () -> {
      if (error == null) {
        f.complete(value);
      } else {
        f.completeExceptionally(error);
      }
    };
    try {
      completions.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  /** Requests issued and not yet completed, for leak checks. */
  int open() {
    return openRequests.get();
  }

  /** Timeout tasks scheduled and not yet run or cancelled, for leak checks. */
  int scheduledTimeouts() {
    return timer.getQueue().size();
  }
}
