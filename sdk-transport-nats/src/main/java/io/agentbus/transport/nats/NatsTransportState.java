package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle state of one {@link NatsTransport}, shared by its parts: open, draining or
 * closed; whether the application closed it (rather than jnats, once its reconnect attempts were
 * exhausted); and the exceptions that say so. A volatile field with an updater rather than an
 * {@code AtomicReference}, so that the check on each publish reads no more objects than it did
 * inside the transport. Thread-safe.
 */
final class NatsTransportState {
  enum State { OPEN, DRAINING, CLOSED }

  private static final AtomicReferenceFieldUpdater<NatsTransportState, State> STATE =
      AtomicReferenceFieldUpdater.newUpdater(NatsTransportState.class, State.class, "state");

  private volatile State state = State.OPEN;
  private final AtomicBoolean closedByUs = new AtomicBoolean();

  State get() {
    return state;
  }

  void set(State s) {
    state = s;
  }

  boolean compareAndSet(State expected, State s) {
    return STATE.compareAndSet(this, expected, s);
  }

  State getAndSet(State s) {
    return STATE.getAndSet(this, s);
  }

  boolean isOpen() {
    return state == State.OPEN;
  }

  /** True for the first caller only: the one that closes the transport (drain or close). */
  boolean claimClose() {
    return closedByUs.compareAndSet(false, true);
  }

  /** True once the application's drain or close has begun closing the transport. */
  boolean closedByUs() {
    return closedByUs.get();
  }

  void checkOpen() {
    State s = state;
    if (s != State.OPEN) {
      throw new TransportException("The NATS transport is " + (s == State.DRAINING
          ? "draining" : "closed") + " and takes no new subscriptions", null, false);
    }
  }

  void checkNotClosed() {
    if (state == State.CLOSED) {
      throw closedException(null);
    }
  }

  TransportException closedException(@Nullable Throwable cause) {
    String why = closedByUs.get() || state != State.CLOSED ? "closed"
        : "closed after reconnecting failed";
    return new TransportException("The NATS transport is " + why, cause, false);
  }
}
