package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a {@link NatsTransport}: a jnats subscription on the transport's shared
 * dispatcher, which only puts each message in this subscription's {@link SubscriptionQueue}; a
 * thread of the transport's handler pool calls the handler, one message at a time and in order,
 * so a blocking handler delays only this subscription, and the queue's bound is this
 * subscription's pending limit (past it newer messages are dropped, counted and reported as a
 * slow consumer).
 *
 * <p>{@link #unsubscribe()} stops the jnats subscription at once and discards, counting them,
 * the messages still queued; {@link #drain} flushes the connection (so what the server sent
 * before the drain started is in the queue), stops the jnats subscription, and completes once
 * the queue has been handled. Neither interrupts a running handler.
 */
final class NatsTransportSubscription implements TransportSubscription {
  private static final Logger log = LoggerFactory.getLogger(NatsTransportSubscription.class);

  enum State { ACTIVE, DRAINING, DISCARDING }

  private final NatsTransport transport;
  private final String subject;
  private final @Nullable String queueGroup;
  private final TransportHandler handler;
  private final AtomicReference<State> state = new AtomicReference<>(State.ACTIVE);
  private final LongAdder delivered = new LongAdder();
  private final LongAdder discarded = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final SubscriptionQueue queue;
  private volatile @Nullable Subscription nats;

  NatsTransportSubscription(NatsTransport transport, String subject, @Nullable String queueGroup,
      TransportHandler handler, java.util.concurrent.Executor handlerPool) {
    this.transport = transport;
    this.subject = subject;
    this.queueGroup = queueGroup;
    this.handler = handler;
    NatsTransportConfig config = transport.config();
    this.queue = new SubscriptionQueue(config.pendingMessages(), config.pendingBytes(),
        handlerPool, this::onMessage, () -> transport.slowConsumer(this));
  }

  void attach(Subscription s) {
    this.nats = s;
  }

  /** Called by the shared dispatcher's thread for each message: queues it, never blocks. */
  void offer(Message m) {
    if (state.get() == State.DISCARDING) {
      discarded.increment();
      transport.countDiscarded(1);
      return;
    }
    if (!queue.offer(m)) {
      transport.countDiscarded(1);
    }
  }

  CompletableFuture<Void> stopped() {
    return stopped;
  }

  SubscriptionQueue queue() {
    return queue;
  }

  /** Called by a thread of the handler pool for each message, one at a time, in order. */
  void onMessage(Message m) {
    if (state.get() == State.DISCARDING) {
      discarded.increment();
      transport.countDiscarded(1);
      return;
    }
    TransportMessage message = HeaderMapping.fromNats(m);
    delivered.increment();
    transport.countDelivered();
    NatsTransport previous = NatsTransport.enterHandler(transport);
    try {
      handler.onMessage(message);
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      failures.increment();
      transport.countHandlerFailure();
      if (e instanceof InterruptedException && (state.get() != State.ACTIVE
          || !transport.isOpen())) {
        log.warn("The handler of subscription '{}' was interrupted: the subscription was stopped "
            + "before it finished", subject);
        return;
      }
      log.error("The handler of subscription '{}'{} failed on a message on '{}' ({} bytes); "
          + "the subscription goes on", subject, queueGroup == null ? "" : " (queue group "
          + queueGroup + ")", message.subject(), message.payload().length, e);
    } finally {
      NatsTransport.leaveHandler(previous);
    }
  }

  @Override
  public String subject() {
    return subject;
  }

  @Override
  public @Nullable String queueGroup() {
    return queueGroup;
  }

  @Override
  public void unsubscribe() {
    State prev = state.getAndSet(State.DISCARDING);
    if (prev == State.DISCARDING) {
      return;
    }
    // a drain under way stops the jnats subscription itself; what is queued is now discarded
    if (prev == State.ACTIVE) {
      stopNats();
    }
    long left = countLeftovers();
    if (left > 0) {
      log.debug("Subscription '{}' unsubscribed with {} received messages not yet handled; "
          + "they are counted as dropped", subject, left);
    }
    transport.forget(this);
    if (prev == State.ACTIVE) {
      queue.whenEmpty().thenRun(() -> stopped.complete(null));
    }
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    if (!beginDrain()) {
      return stopped;
    }
    transport.drainSubscriptions(java.util.List.of(this), timeout);
    return stopped;
  }

  /**
   * The server refused the subscription: it never received anything, so it stops at once,
   * without the drain that {@link #unsubscribe()} makes.
   */
  void refused() {
    stopNats();
    state.set(State.DISCARDING);
    stopped.complete(null);
  }

  /** Moves to draining; false if this subscription was already stopping. */
  boolean beginDrain() {
    return state.compareAndSet(State.ACTIVE, State.DRAINING);
  }

  /**
   * Second step of a drain, once the connection was flushed: stops the jnats subscription and
   * completes {@link #stopped} when the queue has been handled, or at {@code deadlineNanos}
   * (then what is still queued is dropped and counted).
   */
  void finishDrain(long deadlineNanos, Duration timeout) {
    stopNats();
    long wait = Math.max(0, deadlineNanos - System.nanoTime());
    queue.whenEmpty()
        .orTimeout(wait, java.util.concurrent.TimeUnit.NANOSECONDS)
        .whenComplete((v, error) -> {
          transport.forget(this);
          if (error == null) {
            stopped.complete(null);
            return;
          }
          state.set(State.DISCARDING);
          long left = countLeftovers();
          String msg = "Subscription '" + subject + "' did not drain within "
              + timeout.toMillis() + " ms (its handler was still busy); it was stopped anyway and "
              + left + " waiting messages were dropped";
          log.warn(msg);
          stopped.completeExceptionally(new TransportException(msg, null, false));
        });
  }

  /** A drain's flush failed: the subscription stops as if its drain had timed out. */
  void failDrain(Throwable error) {
    stopNats();
    state.set(State.DISCARDING);
    countLeftovers();
    transport.forget(this);
    stopped.completeExceptionally(new TransportException("Could not drain subscription '"
        + subject + "': " + error.getMessage(), error, false));
  }

  private void stopNats() {
    Subscription s = nats;
    if (s == null) {
      return;
    }
    io.nats.client.Dispatcher d = s.getDispatcher();
    if (d == null) {
      return; // jnats closed the connection, and with it the dispatcher's subscriptions
    }
    try {
      d.unsubscribe(s);
    } catch (IllegalStateException e) {
      // already stopped with its connection
    }
  }

  /** The connection closed: what the queue still held is lost and counted. */
  void closedWithConnection() {
    state.set(State.DISCARDING);
    long lost = countLeftovers();
    if (lost > 0) {
      log.warn("Subscription '{}' closed with {} received messages not yet handled; they are "
          + "counted as dropped", subject, lost);
    }
    stopped.complete(null);
  }

  /** Discards and counts what the queue still holds. */
  private long countLeftovers() {
    long left = queue.clear();
    if (left > 0) {
      discarded.add(left);
      transport.countDiscarded(left);
    }
    return left;
  }

  @Override
  public boolean isActive() {
    return state.get() == State.ACTIVE && transport.isOpen();
  }

  @Override
  public long pendingMessages() {
    return stopped.isDone() ? 0 : queue.pending();
  }

  @Override
  public long deliveredMessages() {
    return delivered.sum();
  }

  @Override
  public long droppedMessages() {
    return discarded.sum() + queue.dropped();
  }

  /** Handler invocations that threw. */
  long handlerFailures() {
    return failures.sum();
  }

  @Override
  public String toString() {
    return "NatsSubscription{" + subject + (queueGroup == null ? "" : ", queue=" + queueGroup)
        + ", " + state.get() + "}";
  }
}
