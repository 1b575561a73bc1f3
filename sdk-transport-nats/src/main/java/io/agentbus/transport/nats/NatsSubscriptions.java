package io.agentbus.transport.nats;

import io.agentbus.Subjects;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The live subscriptions of one {@link NatsTransport}. They share one jnats dispatcher (one
 * thread, whatever the number of subscriptions), which only puts each message in its
 * subscription's {@link SubscriptionQueue}; the handlers run on the transport's handler pool,
 * one thread per subscription that has work, none for an idle one. Stopped together when the
 * transport drains or closes. Thread-safe.
 */
final class NatsSubscriptions {
  private final NatsTransport transport;
  private final Connection connection;
  private final NatsTransportState state;
  private final Executor handlerPool;
  private final Executor lifecycle;
  private final Set<NatsTransportSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final Object dispatcherLock = new Object();
  private volatile @Nullable Dispatcher shared; // guarded by dispatcherLock for creation
  private final Queue<PendingDrain> waitingForFlush = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  /** Where drains send themselves a marker: once it arrives, all sent before it was queued. */
  private final String markerSubject;
  private final Map<Long, CompletableFuture<Void>> markers = new ConcurrentHashMap<>();
  private final AtomicLong markerSeq = new AtomicLong();

  /**
   * @param transport the transport each subscription counts and checks its state on
   * @param handlerPool runs the handlers; must not bound the number of threads below the number
   *     of handlers that may block at once
   * @param lifecycle runs the blocking steps of drains (the flush)
   */
  NatsSubscriptions(NatsTransport transport, Connection connection, NatsTransportState state,
      Executor handlerPool, Executor lifecycle) {
    this.transport = transport;
    this.connection = connection;
    this.state = state;
    this.handlerPool = handlerPool;
    this.lifecycle = lifecycle;
    this.markerSubject = connection.createInbox() + ".drain";
  }

  private Dispatcher dispatcher() {
    Dispatcher d = shared;
    if (d == null) {
      synchronized (dispatcherLock) {
        d = shared;
        if (d == null) {
          d = connection.createDispatcher();
          d.subscribe(markerSubject, this::markerArrived);
          shared = d;
        }
      }
    }
    return d;
  }

  /** See {@link NatsTransport#subscribe}. */
  NatsTransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    Subjects.requirePattern("subject pattern", subjectPattern);
    if (queueGroup != null) {
      Subjects.requireToken("queue group", queueGroup);
    }
    Objects.requireNonNull(handler, "handler");
    state.checkOpen();
    NatsTransportSubscription s =
        new NatsTransportSubscription(transport, subjectPattern, queueGroup, handler, handlerPool);
    subscriptions.add(s);
    try {
      Dispatcher d = dispatcher();
      Subscription jnats = queueGroup == null
          ? d.subscribe(subjectPattern, s::offer)
          : d.subscribe(subjectPattern, queueGroup, s::offer);
      s.attach(jnats);
    } catch (IllegalStateException | IllegalArgumentException e) {
      forget(s);
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw state.closedException(e);
      }
      throw new TransportException("Could not subscribe to '" + subjectPattern + "': "
          + e.getMessage(), e, false);
    }
    checkPermitted(s);
    return s;
  }

  void forget(NatsTransportSubscription s) {
    subscriptions.remove(s);
  }

  /** True for the shared dispatcher, whose own limit guards the intake of every subscription. */
  boolean isIntake(Consumer consumer) {
    return consumer == shared;
  }

  /**
   * Drains {@code subs}, each already moved to draining: a marker round trip through the shared
   * dispatcher (so that what the server sent before the drain began is queued), then each stops its jnats subscription
   * and completes once its queue is handled, or at the deadline. Drains asked for while a flush
   * is under way share the next marker, so stopping thousands of agents costs a few round trips,
   * not one each.
   */
  void drain(Collection<NatsTransportSubscription> subs, Duration timeout) {
    if (subs.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (NatsTransportSubscription s : subs) {
      waitingForFlush.add(new PendingDrain(s, deadline, timeout));
    }
    if (flushing.compareAndSet(false, true)) {
      try {
        lifecycle.execute(this::flushThenStop);
      } catch (RejectedExecutionException e) {
        flushing.set(false);
        PendingDrain p;
        while ((p = waitingForFlush.poll()) != null) {
          p.subscription.closedWithConnection();
        }
      }
    }
  }

  private void flushThenStop() {
    while (true) {
      List<PendingDrain> batch = new ArrayList<>();
      PendingDrain p;
      while ((p = waitingForFlush.poll()) != null) {
        batch.add(p);
      }
      if (!batch.isEmpty()) {
        long latest = batch.stream().mapToLong(PendingDrain::deadline).max().orElseThrow();
        Throwable error = passMarker(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
            latest - System.nanoTime())));
        for (PendingDrain d : batch) {
          if (error == null) {
            d.subscription.finishDrain(d.deadline, d.timeout);
          } else {
            d.subscription.failDrain(error);
          }
        }
      }
      flushing.set(false);
      if (waitingForFlush.isEmpty() || !flushing.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /**
   * Sends a marker to this connection's own marker subject and waits until the shared
   * dispatcher has passed it: the server sends in order, and the dispatcher queues in order, so
   * every message the server sent to this connection before the marker is then in its
   * subscription's queue (a flush alone would only say it reached the client).
   */
  private @Nullable Throwable passMarker(Duration timeout) {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return null; // nothing more arrives; what was received is queued
    }
    long n = markerSeq.incrementAndGet();
    CompletableFuture<Void> arrived = new CompletableFuture<>();
    markers.put(n, arrived);
    try {
      connection.publish(markerSubject, Long.toString(n).getBytes(StandardCharsets.US_ASCII));
      arrived.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return null;
    } catch (TimeoutException | IllegalStateException e) {
      return e;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } finally {
      markers.remove(n);
    }
  }

  private void markerArrived(Message m) {
    try {
      CompletableFuture<Void> f =
          markers.get(Long.parseLong(new String(m.getData(), StandardCharsets.US_ASCII)));
      if (f != null) {
        f.complete(null);
      }
    } catch (NumberFormatException e) {
      // not one of ours: someone else published to this connection's marker subject
    }
  }

  private record PendingDrain(NatsTransportSubscription subscription, long deadline,
      Duration timeout) {}

  /** Starts draining every subscription, adding to {@code parts} the future of each. */
  void drainAll(Duration timeout, List<CompletableFuture<?>> parts) {
    List<NatsTransportSubscription> draining = new ArrayList<>();
    for (NatsTransportSubscription s : subscriptions) {
      if (s.beginDrain()) {
        draining.add(s);
      }
      parts.add(s.stopped().orTimeout(timeout.toMillis() + NatsTransport.STOP_MARGIN.toMillis(),
          TimeUnit.MILLISECONDS));
    }
    drain(draining, timeout);
  }

  /** The connection closed: every subscription counts what it lost, and none is left. */
  void closeAll() {
    for (NatsTransportSubscription s : subscriptions) {
      s.closedWithConnection();
    }
    subscriptions.clear();
  }

  /** Live subscriptions, for leak checks. */
  int count() {
    return subscriptions.size();
  }

  /**
   * Waits for the server to have seen the subscription (one round trip) and fails it if the
   * server refused it, so that an agent without the permission fails at start instead of
   * staying deaf. While disconnected nothing can be checked; the subscription stands.
   */
  private void checkPermitted(NatsTransportSubscription s) {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    try {
      // the server answers the SUB (with its refusal, if any) before the PING that follows it
      transport.flush(transport.config().connectTimeout());
    } catch (TransportException e) {
      return; // the server did not answer in time: nothing known either way
    }
    if (transport.denials().takeSubscriptionDenied(s.subject())) {
      // stopped at once, not drained: a drain's PING racing the next flush's would exceed
      // max-pings-out and drop the connection
      s.refused();
      forget(s);
      throw new io.agentbus.PermissionDeniedException(
          io.agentbus.PermissionDeniedException.Operation.SUBSCRIBE, s.subject(),
          ": this identity may not subscribe there (see docs/security.md)");
    }
  }
}
