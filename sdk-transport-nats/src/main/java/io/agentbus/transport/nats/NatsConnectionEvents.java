package io.agentbus.transport.nats;

import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import java.io.IOException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection events of one {@link NatsTransport}: jnats' connection and error callbacks,
 * logged and translated into {@link ConnectionEvent}s for the application's {@link
 * ConnectionListener}s. A listener that throws is logged and skipped. While the first connect is
 * under way, its problems are only logged, since {@link NatsTransport#connect} reports them.
 * Also notices when jnats closes the connection by itself, its reconnect attempts exhausted, and
 * closes the transport for its users. Thread-safe.
 */
final class NatsConnectionEvents implements io.nats.client.ConnectionListener, ErrorListener {
  // the transport's logger: one category per transport, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);

  private final NatsTransportConfig config;
  private final NatsTransportState state;
  private final NatsCounters counters;
  private final NatsPermissionDenials denials = new NatsPermissionDenials();
  private final CopyOnWriteArrayList<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closedEventSent = new AtomicBoolean();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  /** Whether a refusal of the credentials was reported since the last (re)connect. */
  private final AtomicBoolean authRefusalReported = new AtomicBoolean();
  /** The server's last refusal of the credentials, cleared by a reconnect; null if none. */
  private volatile @Nullable String authRefusal;
  private volatile @Nullable NatsSubscriptions subscriptions;
  /** Null during the first connect, whose failures {@link NatsTransport#connect} reports. */
  private volatile @Nullable Connection connection;
  /** What went wrong during the first connect, which jnats reports only here. */
  private final java.util.concurrent.ConcurrentLinkedDeque<Exception> connectProblems =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private volatile @Nullable String connectServerError;

  NatsConnectionEvents(NatsTransportConfig config, NatsTransportState state,
      NatsCounters counters) {
    this.config = config;
    this.state = state;
    this.counters = counters;
  }

  /**
   * The first connect succeeded: from now on, problems are the listeners' to hear of, and a slow
   * consumer is looked up among {@code subscriptions}.
   */
  void connected(Connection c, NatsSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
    this.connection = c;
  }

  /** The permission refusals the server reported on this connection. */
  NatsPermissionDenials denials() {
    return denials;
  }

  /**
   * The problems jnats reported during the first connect, oldest first (at most 8): the first
   * often names the cause (a TLS alert) that a later timeout hides.
   */
  java.util.List<Exception> connectProblems() {
    return java.util.List.copyOf(connectProblems);
  }

  /** The last error the server reported during the first connect, or null. */
  @Nullable String connectServerError() {
    return connectServerError;
  }

  /** Forgets the problems of a failed connect attempt before the next. */
  void newConnectAttempt() {
    connectProblems.clear();
    connectServerError = null;
  }

  private boolean connectedOnce() {
    return connection != null;
  }

  void addListener(ConnectionListener listener) {
    listeners.add(listener);
  }

  void removeListener(ConnectionListener listener) {
    listeners.remove(listener);
  }

  private void emit(ConnectionEvent event) {
    for (ConnectionListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("A connection listener threw on {}; ignored", event, e);
      }
    }
  }

  /** Tells the listeners, once, that the connection is closed. */
  void emitClosed(String detail) {
    if (closedEventSent.compareAndSet(false, true)) {
      emit(ConnectionEvent.of(ConnectionEvent.Kind.CLOSED, detail));
    }
  }

  // ------------------------------------------------------------------ connection events

  @Override
  @SuppressWarnings("deprecation")
  public void connectionEvent(Connection conn, Events type) {
    connectionEvent(conn, type, null, null);
  }

  @Override
  public void connectionEvent(Connection conn, Events type, @Nullable Long time,
      @Nullable String uriDetails) {
    String where = uriDetails == null ? "" : NatsTransportConfig.redactUrls(uriDetails);
    switch (type) {
      case CONNECTED:
        emit(ConnectionEvent.of(ConnectionEvent.Kind.CONNECTED, "connected to " + where));
        break;
      case DISCONNECTED:
        // jnats reports one per failed reconnect attempt; users hear of the first
        if (!disconnected.compareAndSet(false, true)) {
          log.debug("Still disconnected from NATS ({})", where);
          break;
        }
        if (!connectedOnce()) {
          disconnected.set(false);
          break;
        }
        if (!state.closedByUs()) {
          log.warn("Disconnected from NATS {}; reconnecting every {} (publishes are buffered "
              + "up to {} bytes)", where, config.reconnectWait(), config.reconnectBufferSize());
        }
        emit(ConnectionEvent.of(ConnectionEvent.Kind.DISCONNECTED, "disconnected from "
            + where));
        break;
      case RECONNECTED:
        disconnected.set(false);
        denials.forget();
        authRefusalReported.set(false);
        authRefusal = null;
        counters.reconnects.incrementAndGet();
        log.info("Reconnected to NATS {}", where);
        emit(ConnectionEvent.of(ConnectionEvent.Kind.RECONNECTED, "reconnected to " + where));
        break;
      case RESUBSCRIBED:
        log.debug("Subscriptions re-established on {}", where);
        emit(ConnectionEvent.of(ConnectionEvent.Kind.RESUBSCRIBED,
            "subscriptions re-established on " + where));
        break;
      case LAME_DUCK:
        log.warn("NATS server {} is shutting down (lame duck mode); the client will move to "
            + "another server", where);
        emit(ConnectionEvent.of(ConnectionEvent.Kind.LAME_DUCK, "lame duck mode: " + where));
        break;
      case CLOSED:
        onClosed();
        break;
      default:
        log.debug("NATS connection event {} {}", type, where);
    }
  }

  private void onClosed() {
    if (state.closedByUs() || !state.compareAndSet(NatsTransportState.State.OPEN,
        NatsTransportState.State.CLOSED)) {
      return; // our own drain or close
    }
    Connection c = connection;
    if (c == null) {
      return; // the first connect failed; connect() throws, and no transport exists to tell
    }
    // closed by jnats itself: the reconnect attempts are exhausted
    long unsent = counters.unsentCounted.compareAndSet(false, true)
        ? c.outgoingPendingMessageCount() : 0;
    if (unsent > 0) {
      counters.dropped.add(unsent);
    }
    String refusal = authRefusal;
    if (refusal != null) {
      // jnats gives up when one server refuses the same credentials twice in a row
      log.error("The NATS connection closed for good: the server refused this client's "
          + "credentials again ({}); {} buffered publishes were lost. Every further call fails; "
          + "fix {} and create a new transport (or restart the agent's process)", refusal,
          unsent, config.auth().settingsToCheck());
      emitClosed("the server refused the credentials again: " + refusal);
      return;
    }
    log.error("The NATS connection closed after {} reconnect attempts failed ({}={}); {} "
        + "buffered publishes were lost. Every further call fails; create a new transport.",
        config.maxReconnects(), NatsTransportConfig.Key.MAX_RECONNECTS.property(),
        config.maxReconnects(), unsent);
    emitClosed("reconnecting failed " + config.maxReconnects() + " times");
  }

  // ------------------------------------------------------------------ errors

  @Override
  public void errorOccurred(Connection conn, String error) {
    if (!connectedOnce()) {
      log.debug("The NATS server reported while connecting: {}", error);
      connectServerError = error;
      return;
    }
    io.agentbus.PermissionDeniedException denied = denials.onServerError(error);
    if (denied != null) {
      log.error("{}", denied.getMessage());
      emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "permission denied: "
          + denied.getMessage()));
      return;
    }
    // jnats hands over only the server's -ERR text, and recognises a refusal by that text too
    if (NatsConnectFailures.isAuthError(error)) {
      authRefusal = error.trim();
      if (!authRefusalReported.compareAndSet(false, true)) {
        log.debug("The NATS server still refuses the credentials: {}", error);
        return;
      }
      log.error("The NATS server refused this client's credentials on reconnect ({}); the "
          + "agents of this connection cannot send or receive until they are accepted again. "
          + "Check {}; a credentials or seed file is read again on each attempt", error.trim(),
          config.auth().settingsToCheck());
      emit(ConnectionEvent.of(ConnectionEvent.Kind.AUTHENTICATION_FAILED, "the server refused "
          + "the credentials at reconnect: " + error.trim() + " (check "
          + config.auth().settingsToCheck() + ")"));
      return;
    }
    log.warn("The NATS server reported: {}", error);
    emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "server error: " + error));
  }

  @Override
  public void exceptionOccurred(Connection conn, Exception exp) {
    if (!connectedOnce()) {
      // the first connect's failure is thrown by connect(), naming this cause
      log.debug("While connecting to NATS: {}", exp.toString());
      connectProblems.add(exp);
      if (connectProblems.size() > 8) {
        connectProblems.pollFirst();
      }
      return;
    }
    if (authRefusal != null) {
      // each refused attempt also ends in a timeout or a closed socket: AUTHENTICATION_FAILED
      // already told the user, once
      log.debug("While the server refuses the credentials: {}", exp.toString());
      return;
    }
    if (exp instanceof IOException) {
      // a lost or refused connection; the DISCONNECTED event tells the user
      log.debug("NATS connection problem: {}", exp.toString());
    } else {
      log.warn("NATS client error: {}", exp.toString(), exp);
    }
    emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "client error: " + exp));
  }

  @Override
  public void slowConsumerDetected(Connection conn, Consumer consumer) {
    NatsSubscriptions subs = subscriptions;
    String subject = subs != null && subs.isIntake(consumer)
        ? "(every subscription: the shared intake)" : "_INBOX (request replies)";
    slowConsumer(subject, consumer.getPendingMessageLimit(), consumer.getPendingByteLimit());
  }

  /** A subscription (or jnats' intake) dropped the first message of a burst. */
  void slowConsumer(String subject, long messageLimit, long byteLimit) {
    counters.slowConsumerEvents.increment();
    String detail = "subscription '" + subject + "' reached its limit of " + messageLimit
        + " waiting messages / " + byteLimit + " bytes; newer messages are dropped and counted "
        + "until its handler catches up";
    log.warn("Slow consumer: {} ({}, {}); other subscriptions are unaffected", detail,
        NatsTransportConfig.Key.PENDING_MESSAGES.property(),
        NatsTransportConfig.Key.PENDING_BYTES.property());
    emit(new ConnectionEvent(ConnectionEvent.Kind.SLOW_CONSUMER, detail, subject));
  }

  @Override
  public void messageDiscarded(Connection conn, Message msg) {
    counters.dropped.increment();
    log.warn("NATS discarded an outgoing message to '{}'; counted as dropped",
        msg.getSubject());
  }

  @Override
  public void socketWriteTimeout(Connection conn) {
    log.warn("Writing to the NATS server timed out; the connection will be re-established");
    emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "socket write timeout"));
  }
}
