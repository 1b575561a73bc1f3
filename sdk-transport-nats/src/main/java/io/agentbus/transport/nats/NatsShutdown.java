package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded stopping of one {@link NatsTransport}: its drain (subscriptions and JetStream
 * workers each drain, then the connection is flushed and closed) and its close. Whatever the server does, a drain ends within its timeout plus
 * {@link NatsTransport#STOP_MARGIN} and a close within the margin: the jnats calls that can block
 * on an unreachable server run on helper threads, and at the deadline the transport stops
 * waiting for them. Thread-safe.
 */
final class NatsShutdown {
  // the transport's logger: one category per transport, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
  /** Extra time given to jnats' own drain bookkeeping beyond the caller's timeout. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);

  private final NatsTransportConfig config;
  private final Connection connection;
  private final NatsTransportState state;
  private final NatsCounters counters;
  private final NatsSubscriptions subscriptions;
  private final JetStreamStreams jetStream;
  private final NatsConnectionEvents events;
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor completions;
  private final ThreadPoolExecutor lifecycle;
  private final HandlerPool handlers;
  /** True on the threads of this transport's handlers, where jnats' close could wait for us. */
  private final BooleanSupplier inOwnHandler;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  /**
   * @param timer ends a drain at its deadline; shut down last
   * @param completions shut down when the transport closes
   * @param lifecycle runs the blocking steps of drains: two threads, so that a drain can wait
   *     for the JetStream workers on one while subscriptions stop on the other
   */
  NatsShutdown(NatsTransportConfig config, Connection connection, NatsTransportState state,
      NatsCounters counters, NatsSubscriptions subscriptions, JetStreamStreams jetStream,
      NatsConnectionEvents events, ScheduledThreadPoolExecutor timer,
      ThreadPoolExecutor completions, ThreadPoolExecutor lifecycle, HandlerPool handlers,
      BooleanSupplier inOwnHandler) {
    this.config = config;
    this.connection = connection;
    this.state = state;
    this.counters = counters;
    this.subscriptions = subscriptions;
    this.jetStream = jetStream;
    this.events = events;
    this.timer = timer;
    this.completions = completions;
    this.lifecycle = lifecycle;
    this.handlers = handlers;
    this.inOwnHandler = inOwnHandler;
  }

  /** See {@link NatsTransport#drain(Duration)}. */
  CompletableFuture<Void> drain(Duration timeout) {
    if (!state.compareAndSet(NatsTransportState.State.OPEN, NatsTransportState.State.DRAINING)) {
      return terminated;
    }
    if (timeout.isZero() || timeout.isNegative()) {
      finish(null, null);
      return terminated;
    }
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      log.warn("Draining the NATS transport while disconnected: nothing can be flushed; closing");
      finish(null, null);
      return terminated;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String late = "NATS drain did not finish within " + timeout.toMillis() + " ms";
    try {
      // whatever jnats does meanwhile, the transport is closed at the deadline
      timer.schedule(() -> finish(late, null), timeout.toNanos(), TimeUnit.NANOSECONDS);
      // Each subscription and JetStream worker drains by itself, then the connection is flushed
      // and closed. Not jnats' connection drain: a connection draining ignores close() until its
      // own drain ends, and the transport must be able to close at its deadline.
      List<CompletableFuture<?>> parts = new ArrayList<>();
      parts.add(CompletableFuture.runAsync(() -> jetStream.drainWorkers(timeout), lifecycle));
      subscriptions.drainAll(timeout, parts);
      CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
          .whenComplete((v, error) -> flushThenFinish(deadline, late, error));
    } catch (RejectedExecutionException e) {
      finish(null, null);
    }
    return terminated;
  }

  /** Flushes what the handlers published while draining, then closes. */
  private void flushThenFinish(long deadline, String late, @Nullable Throwable drainError) {
    Runnable flushAndClose = () -> {
      Throwable error = drainError;
      if (error == null) {
        try {
          connection.flush(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
              deadline - System.nanoTime())));
        } catch (TimeoutException | IllegalStateException e) {
          error = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          error = e;
        }
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      finish(cause == null ? null : late + ": " + cause.getMessage(), cause);
    };
    try {
      lifecycle.execute(flushAndClose);
    } catch (RejectedExecutionException e) {
      // already closed: at the deadline, or by close()
    }
  }

  /** See {@link NatsTransport#close()}. */
  void close() {
    NatsTransportState.State was = state.getAndSet(NatsTransportState.State.CLOSED);
    finish(was == NatsTransportState.State.DRAINING
        ? "The NATS transport was closed before its drain finished" : null, null);
  }

  private void finish(@Nullable String problem, @Nullable Throwable cause) {
    if (!state.claimClose()) {
      return;
    }
    state.set(NatsTransportState.State.CLOSED);
    jetStream.stopAll();
    long unsent = closeConnection();
    subscriptions.closeAll();
    if (unsent > 0) {
      counters.dropped.add(unsent);
      log.warn("{} publishes buffered during the outage were never sent; counted as dropped",
          unsent);
    }
    events.emitClosed("closed by the application");
    if (problem == null) {
      terminated.complete(null);
    } else {
      log.warn("{}; the transport is closed", problem);
      terminated.completeExceptionally(new TransportException(problem
          + "; the transport is closed anyway", cause, false));
    }
    shutdownExecutors(timer, completions, lifecycle, handlers); // last: it may interrupt this thread
  }

  /**
   * Closes the jnats connection and returns how many publishes it still held unsent (0 when it
   * was connected, or when that could not be learnt). While the server is unreachable, jnats'
   * reconnect loop holds the lock that both the count and {@code close()} take, for as long as it
   * keeps trying; so both run on a helper thread, and after {@link NatsTransport#STOP_MARGIN}
   * the transport stops waiting: it is closed for its users, and the helper ends once jnats lets
   * it.
   */
  private long closeConnection() {
    boolean countUnsent = connection.getStatus() != Connection.Status.CONNECTED
        && counters.unsentCounted.compareAndSet(false, true);
    AtomicLong unsent = new AtomicLong(-1);
    Thread closer = new Thread(() -> {
      if (countUnsent) {
        unsent.set(connection.outgoingPendingMessageCount());
      }
      try {
        connection.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.debug("Error while closing the NATS connection", e);
      }
    }, "agentbus-nats-close-" + config.connectionName());
    closer.setDaemon(true);
    closer.start();
    if (inOwnHandler.getAsBoolean()) {
      return 0; // jnats' close may wait for this very handler to return
    }
    try {
      closer.join(NatsTransport.STOP_MARGIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      log.warn("The NATS connection did not close within {} ms (the server is unreachable and "
          + "jnats is still trying to reconnect); the transport is closed, and jnats' threads "
          + "end once its current attempt does", NatsTransport.STOP_MARGIN.toMillis());
      return 0;
    }
    return Math.max(0, unsent.get());
  }

  /** Ends the transport's threads; the timer's is interrupted, and may be the caller's. */
  static void shutdownExecutors(ScheduledThreadPoolExecutor timer,
      ThreadPoolExecutor completions, ThreadPoolExecutor lifecycle, HandlerPool handlers) {
    timer.shutdownNow();
    completions.shutdown();
    lifecycle.shutdown();
    handlers.shutdown(); // running handlers finish; queued messages were counted by closeAll
  }
}
