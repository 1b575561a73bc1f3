package io.agentbus.transport.nats;

import io.agentbus.Subjects;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The live subscriptions of one {@link NatsTransport}: each made on a jnats dispatcher of its own
 * with the configured pending limits, found again by that dispatcher when jnats reports it as a
 * slow consumer, and stopped together when the transport drains or closes. Thread-safe.
 */
final class NatsSubscriptions {
  private final NatsTransport transport;
  private final Connection connection;
  private final NatsTransportConfig config;
  private final NatsTransportState state;
  private final Set<NatsTransportSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final Map<Consumer, NatsTransportSubscription> byDispatcher = new ConcurrentHashMap<>();

  /** @param transport the transport each subscription counts and checks its state on */
  NatsSubscriptions(NatsTransport transport, Connection connection, NatsTransportConfig config,
      NatsTransportState state) {
    this.transport = transport;
    this.connection = connection;
    this.config = config;
    this.state = state;
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
        new NatsTransportSubscription(transport, subjectPattern, queueGroup, handler);
    Dispatcher d = null;
    try {
      d = connection.createDispatcher(s::onMessage);
      d.setPendingLimits(config.pendingMessages(), config.pendingBytes());
      s.attach(d);
      byDispatcher.put(d, s);
      subscriptions.add(s);
      if (queueGroup == null) {
        d.subscribe(subjectPattern);
      } else {
        d.subscribe(subjectPattern, queueGroup);
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      forget(s);
      if (d != null) {
        try {
          connection.closeDispatcher(d);
        } catch (RuntimeException ignored) {
          // already closed with its connection
        }
      }
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw state.closedException(e);
      }
      throw new TransportException("Could not subscribe to '" + subjectPattern + "': "
          + e.getMessage(), e, false);
    }
    checkPermitted(s, d);
    return s;
  }

  void forget(NatsTransportSubscription s) {
    subscriptions.remove(s);
    Dispatcher d = s.dispatcher();
    if (d != null) {
      byDispatcher.remove(d);
    }
  }

  /** The subscription on {@code consumer}, or null for jnats' own (the request replies). */
  @Nullable NatsTransportSubscription byConsumer(Consumer consumer) {
    return byDispatcher.get(consumer);
  }

  /** Starts draining every subscription, adding to {@code parts} the future of each. */
  void drainAll(Duration timeout, List<CompletableFuture<?>> parts) {
    for (NatsTransportSubscription s : subscriptions) {
      parts.add(s.drain(timeout));
    }
  }

  /** The connection closed: every subscription counts what it lost, and none is left. */
  void closeAll() {
    for (NatsTransportSubscription s : subscriptions) {
      s.closedWithConnection();
    }
    subscriptions.clear();
    byDispatcher.clear();
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
  private void checkPermitted(NatsTransportSubscription s, Dispatcher d) {
    if (connection.getStatus() != Connection.Status.CONNECTED) {
      return;
    }
    try {
      // the server answers the SUB (with its refusal, if any) before the PING that follows it
      transport.flush(config.connectTimeout());
    } catch (TransportException e) {
      return; // the server did not answer in time: nothing known either way
    }
    if (transport.denials().takeSubscriptionDenied(s.subject())) {
      // closed, not drained: a drain's PING racing the next flush's would exceed max-pings-out
      s.refused();
      forget(s);
      try {
        connection.closeDispatcher(d);
      } catch (RuntimeException ignored) {
        // closed with its connection meanwhile
      }
      throw new io.agentbus.PermissionDeniedException(
          io.agentbus.PermissionDeniedException.Operation.SUBSCRIBE, s.subject(),
          ": this identity may not subscribe there (see docs/security.md)");
    }
  }
}
