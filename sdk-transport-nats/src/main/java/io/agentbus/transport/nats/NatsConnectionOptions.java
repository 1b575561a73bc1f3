package io.agentbus.transport.nats;

import io.nats.client.Options;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * From a {@link NatsTransportConfig} to jnats: the connection {@link Options}. Not
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
    if (!c.inboxPrefix().equals(NatsTransportConfig.SHARED_INBOX_PREFIX)) {
      b.inboxPrefix(c.inboxPrefix());
    }
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
}
