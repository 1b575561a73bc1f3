package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a {@link NatsTransport}, on a jnats dispatcher of its own: the dispatcher's
 * thread calls the handler, one message at a time and in order, so a blocking handler delays
 * only this subscription, and the dispatcher's bounded queue is this subscription's pending limit
 * (past it jnats drops newer messages, which are counted and reported as a slow consumer).
 *
 * <p>Stopping goes through jnats' drain of the dispatcher in every case, because that is the one
 * way that neither interrupts a running handler nor loses track of queued messages: for {@link
 * #unsubscribe()} the remaining messages pass through {@link #onMessage} only to be discarded and
 * counted, for {@link #drain} they are handled.
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
  private final AtomicBoolean leftoversCounted = new AtomicBoolean();
  private volatile @Nullable Dispatcher dispatcher;

  NatsTransportSubscription(NatsTransport transport, String subject, @Nullable String queueGroup,
      TransportHandler handler) {
    this.transport = transport;
    this.subject = subject;
    this.queueGroup = queueGroup;
    this.handler = handler;
  }

  void attach(Dispatcher d) {
    this.dispatcher = d;
  }

  @Nullable Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Called by the dispatcher's thread for each message, in order. */
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
    if (prev == State.DRAINING) {
      return; // the drain under way stops the dispatcher; what it still holds is now discarded
    }
    stopDispatcher(transport.config().drainTimeout(), "unsubscribe");
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    if (!state.compareAndSet(State.ACTIVE, State.DRAINING)) {
      return stopped;
    }
    stopDispatcher(timeout, "drain");
    return stopped;
  }

  /**
   * The server refused the subscription: it never received anything, so it stops at once,
   * without the drain (a PING) that {@link #unsubscribe()} makes.
   */
  void refused() {
    state.set(State.DISCARDING);
    stopped.complete(null);
  }

  /** The connection closed: what the dispatcher still held is lost and counted. */
  void closedWithConnection() {
    state.set(State.DISCARDING);
    long lost = countLeftovers();
    if (lost > 0) {
      log.warn("Subscription '{}' closed with {} received messages not yet handled; they are "
          + "counted as dropped", subject, lost);
    }
    stopped.complete(null);
  }

  /** Counts, once, the messages the stopped dispatcher still held. */
  private long countLeftovers() {
    Dispatcher d = dispatcher;
    if (d == null || !leftoversCounted.compareAndSet(false, true)) {
      return 0;
    }
    long left = d.getPendingMessageCount();
    if (left > 0) {
      discarded.add(left);
      transport.countDiscarded(left);
    }
    return left;
  }

  private void stopDispatcher(Duration timeout, String why) {
    Dispatcher d = dispatcher;
    if (d == null) {
      stopped.complete(null);
      transport.forget(this);
      return;
    }
    transport.stopDispatcherAsync(d, timeout).whenComplete((drained, error) -> {
      long left = countLeftovers();
      transport.forget(this);
      if (error != null) {
        stopped.completeExceptionally(new TransportException("Could not " + why
            + " subscription '" + subject + "': " + error.getMessage(), error, false));
      } else if (!Boolean.TRUE.equals(drained)) {
        String msg = "Subscription '" + subject + "' did not " + why + " within "
            + timeout.toMillis() + " ms (its handler was still busy); it was stopped anyway and "
            + left + " waiting messages were dropped";
        log.warn(msg);
        stopped.completeExceptionally(new TransportException(msg, null, false));
      } else {
        stopped.complete(null);
      }
    });
  }

  @Override
  public boolean isActive() {
    return state.get() == State.ACTIVE && transport.isOpen();
  }

  @Override
  public long pendingMessages() {
    Dispatcher d = dispatcher;
    return d == null || stopped.isDone() ? 0 : d.getPendingMessageCount();
  }

  @Override
  public long deliveredMessages() {
    return delivered.sum();
  }

  @Override
  public long droppedMessages() {
    Dispatcher d = dispatcher;
    return discarded.sum() + (d == null ? 0 : d.getDroppedCount());
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
