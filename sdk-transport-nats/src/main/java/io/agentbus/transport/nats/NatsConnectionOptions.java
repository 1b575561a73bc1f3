package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.nats.client.AuthenticationException;
import io.nats.client.Options;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * From a {@link NatsTransportConfig} to jnats: the connection {@link Options}, and the exception
 * that says why a connect failed, naming the servers and the settings to check. Not
 * instantiable.
 */
final class NatsConnectionOptions {
  /** How often jnats purges finished requests from its table. */
  private static final Duration REQUEST_CLEANUP_INTERVAL = Duration.ofSeconds(1);

  private NatsConnectionOptions() {}

  /** The options of a connection made with {@code c}, reporting to {@code events}. */
  static Options of(NatsTransportConfig c, NatsConnectionEvents events) {
    Options.Builder b = new Options.Builder()
        .servers(c.servers().toArray(String[]::new))
        .connectionName(c.connectionName())
        .connectionTimeout(c.connectTimeout())
        .reconnectWait(c.reconnectWait())
        .maxReconnects(c.maxReconnects())
        .reconnectBufferSize(c.reconnectBufferSize())
        .pingInterval(c.pingInterval())
        .maxPingsOut(c.maxPingsOut())
        .maxMessagesInOutgoingQueue(c.outgoingQueueSize())
        .requestCleanupInterval(REQUEST_CLEANUP_INTERVAL)
        .reportNoResponders()
        // AgentBus subjects may hold any UTF-8 (the contract suite's wildcard table does)
        .supportUTF8Subjects()
        .connectionListener(events)
        .errorListener(events);
    c.auth().applyTo(b);
    SSLContext ssl = c.sslContextOrNull();
    if (ssl != null) {
      b.sslContext(ssl);
    }
    java.util.function.Consumer<Options.Builder> customizer = c.optionsCustomizer();
    if (customizer != null) {
      customizer.accept(b);
    }
    return b.build();
  }

  /** Why connecting with {@code c} failed with {@code e}. */
  static TransportException connectFailure(NatsTransportConfig c, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new TransportException("Interrupted while connecting to NATS", e, true);
    }
    String servers = NatsTransportConfig.redactUrls(String.join(",", c.servers()));
    String text = String.valueOf(e.getMessage());
    if (e instanceof AuthenticationException) {
      return new TransportException("NATS at " + servers + " refused the credentials ("
          + text.trim() + "): check " + c.auth().settingsToCheck(), e, false);
    }
    // jnats reports the underlying cause (a refused TLS handshake, say) only to its listener
    String tlsHint = !c.tls() ? "" : " With TLS, also check that "
        + NatsTransportConfig.Key.TLS_TRUSTSTORE.property() + " trusts the server's certificate"
        + " and, if the server verifies clients, that "
        + NatsTransportConfig.Key.TLS_KEYSTORE.property() + " holds this client's.";
    return new TransportException("Could not connect to NATS at " + servers + " as '"
        + c.connectionName() + "': " + text + ". Is the server running and reachable? The "
        + "servers are set by " + NatsTransportConfig.Key.URL.property() + " / "
        + NatsTransportConfig.Key.URL.environmentVariable() + " / "
        + NatsTransportConfig.NATS_URL + "." + tlsHint, e, true);
  }
}
