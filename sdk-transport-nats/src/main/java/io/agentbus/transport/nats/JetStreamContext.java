package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.TransportException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * What every part of {@link JetStreamStreams} needs of the connection: the JetStream API
 * contexts, created on first use, the timeout of API calls and synchronous acks, and the
 * translation of jnats' JetStream errors into {@link TransportException} (retriable when the
 * server may be back, or the stream's leader elected, soon) or {@link ConfigurationException},
 * recognised by error code and status, never by message text. Thread-safe.
 */
final class JetStreamContext {
  private static final int SUBJECTS_OVERLAP = 10065;
  private static final int JETSTREAM_NOT_ENABLED = 10076;
  /** "no suitable peers for placement": fewer JetStream servers than replicas, for now. */
  private static final int NO_SUITABLE_PEERS = 10005;
  /**
   * Errors of a cluster that is electing leaders or missing a node: cluster incomplete, not
   * active, not assigned, temporarily unavailable, not leader, stream or consumer offline.
   */
  private static final Set<Integer> TRANSIENT =
      Set.of(10004, 10006, 10007, 10008, 10009, 10118, 10119);

  final Connection connection;
  /** How long a JetStream API call or synchronous ack may take. */
  final Duration apiTimeout;
  /** The connection's name, for thread names. */
  final String name;
  private volatile @Nullable JetStreamManagement jsm;
  private volatile @Nullable JetStream js;

  JetStreamContext(Connection connection, Duration apiTimeout, String name) {
    this.connection = connection;
    this.apiTimeout = apiTimeout;
    this.name = name;
  }

  JetStreamManagement management() {
    JetStreamManagement m = jsm;
    if (m == null) {
      try {
        m = connection.jetStreamManagement();
      } catch (IOException e) {
        throw unavailable("use JetStream", e);
      }
      jsm = m;
    }
    return m;
  }

  JetStream jetStream() {
    JetStream j = js;
    if (j == null) {
      try {
        j = connection.jetStream();
      } catch (IOException e) {
        throw unavailable("use JetStream", e);
      }
      js = j;
    }
    return j;
  }

  /** Empty while connected; otherwise a parenthesis saying the connection's state. */
  String outage() {
    return connection.getStatus() == Connection.Status.CONNECTED ? ""
        : " (the connection is " + connection.getStatus().name().toLowerCase() + ")";
  }

  RuntimeException apiFailure(String what, JetStreamApiException e) {
    switch (e.getApiErrorCode()) {
      case SUBJECTS_OVERLAP:
        return new ConfigurationException("Could not " + what + ": its subjects overlap those "
            + "of another stream on the server (" + e.getMessage() + "); a subject can be kept "
            + "by one stream only", e);
      case NO_SUITABLE_PEERS:
        return new TransportException("Could not " + what + " yet: " + e.getMessage()
            + " (fewer JetStream servers are up than the replicas asked for: a cluster still "
            + "forming or a node down; if the cluster is smaller than the replica count, lower "
            + "the replicas)" + outage(), e, true);
      case JETSTREAM_NOT_ENABLED:
        return new ConfigurationException("Could not " + what + ": JetStream is not enabled on "
            + "the NATS server (start nats-server with -js, or enable it for the account)", e);
      default:
        if (TRANSIENT.contains(e.getApiErrorCode())) {
          return new TransportException("Could not " + what + " yet: " + e.getMessage()
              + " (the JetStream cluster is electing a leader or missing a server)" + outage(),
              e, true);
        }
        if (e.getErrorCode() == 503 || e.getErrorCode() == 408) {
          return new TransportException("Could not " + what + ": JetStream did not answer ("
              + e.getMessage() + "); is nats-server started with -js?" + outage(), e, true);
        }
        return new ConfigurationException("Could not " + what + ": the server refused: "
            + e.getMessage(), e);
    }
  }

  TransportException unavailable(String what, IOException e) {
    return new TransportException("Could not " + what + ": JetStream did not answer ("
        + e.getMessage() + "). Is nats-server started with -js (JetStream enabled)?" + outage(),
        e, true);
  }

  static TransportException closed(RuntimeException e) {
    return new TransportException("The NATS connection is closed: " + e.getMessage(), e, false);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || (t instanceof RuntimeException && t.getClass() == RuntimeException.class))
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
