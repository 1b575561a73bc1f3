package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.nats.client.Options;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link NatsTransport} connects: servers, identity, authentication, TLS, reconnection,
 * keep-alive, buffers and limits. Immutable and thread-safe; validated once when built, so that a
 * bad or missing setting fails at startup with a {@link ConfigurationException} that names the key.
 *
 * <p>Build it in code with {@link #builder()}, or read it from settings with {@link
 * NatsConfigLoader} ({@link #fromEnvironment()} is the shortcut for system properties and
 * environment variables). Each setting has a property {@code agentbus.nats.*} and an environment
 * variable {@code AGENTBUS_NATS_*} (see {@link Key}); {@code docs/configuration.md} lists them with
 * their defaults.
 *
 * <p>Two escape hatches reach past the settings: {@link Builder#sslContext(SSLContext)} for a TLS
 * context built elsewhere (a corporate trust manager, a reloading key manager), and {@link
 * Builder#optionsCustomizer} for any jnats option the settings do not cover, applied last. Secrets
 * (passwords, tokens, seeds) never appear in messages or in {@link #toString()}.
 */
public final class NatsTransportConfig {
  private static final Logger log = LoggerFactory.getLogger(NatsTransportConfig.class);

  /** The NATS tools' variable for the server list. */
  public static final String NATS_URL = "NATS_URL";
  /** The server a config without any URL connects to. */
  public static final String DEFAULT_URL = "nats://localhost:4222";
  /** The seed's heartbeat window: a dead connection should be noticed well inside it. */
  private static final Duration HEARTBEAT_WINDOW = Duration.ofSeconds(90);
  private static final Set<String> SCHEMES = Set.of("nats", "tls", "opentls", "ws", "wss");

  /** Every setting, with its property and environment variable names. */
  public enum Key {
    URL("url"),
    CONNECTION_NAME("connection-name"),
    TOKEN("token"),
    TOKEN_FILE("token-file"),
    USER("user"),
    PASSWORD("password"),
    NKEY_SEED("nkey-seed"),
    NKEY_SEED_FILE("nkey-seed-file"),
    CREDS_FILE("creds-file"),
    INBOX_PREFIX("inbox-prefix"),
    TLS("tls"),
    TLS_KEYSTORE("tls.keystore"),
    TLS_KEYSTORE_PASSWORD("tls.keystore-password"),
    TLS_TRUSTSTORE("tls.truststore"),
    TLS_TRUSTSTORE_PASSWORD("tls.truststore-password"),
    TLS_INSECURE_SKIP_HOSTNAME_CHECK("tls.insecure-skip-hostname-check-for-tests"),
    CONNECT_TIMEOUT("connect-timeout"),
    CONNECT_RETRY("connect-retry"),
    RECONNECT_WAIT("reconnect-wait"),
    MAX_RECONNECTS("max-reconnects"),
    RECONNECT_BUFFER_SIZE("reconnect-buffer-size"),
    PING_INTERVAL("ping-interval"),
    MAX_PINGS_OUT("max-pings-out"),
    JETSTREAM_API_TIMEOUT("jetstream-api-timeout"),
    DRAIN_TIMEOUT("drain-timeout"),
    OUTGOING_QUEUE_SIZE("outgoing-queue-size"),
    PENDING_MESSAGES("pending-messages"),
    PENDING_BYTES("pending-bytes");

    /** The prefix of every property. */
    public static final String PROPERTY_PREFIX = "agentbus.nats.";
    /** The prefix of every environment variable. */
    public static final String ENV_PREFIX = "AGENTBUS_NATS_";

    private final String property;
    private final String environmentVariable;

    Key(String suffix) {
      this.property = PROPERTY_PREFIX + suffix;
      this.environmentVariable = environmentVariableOf(property);
    }

    /** The system property, e.g. {@code agentbus.nats.reconnect-wait}. */
    public String property() {
      return property;
    }

    /** The environment variable, e.g. {@code AGENTBUS_NATS_RECONNECT_WAIT}. */
    public String environmentVariable() {
      return environmentVariable;
    }

    /** A property's variable: upper case, with {@code .} and {@code -} as {@code _}. */
    static String environmentVariableOf(String property) {
      return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
  }

  /** The settings as built, with the defaults filled in; never handed out, only copied. */
  private final Builder settings;
  /** The NATS default inbox prefix, shared by every client that sets none. */
  public static final String SHARED_INBOX_PREFIX = "_INBOX";

  private final boolean tls;
  private final @Nullable SSLContext sslContext;
  private final String inboxPrefix;
  private final java.time.@Nullable Instant clientCertificateNotAfter;

  private NatsTransportConfig(Builder built) {
    this.settings = built.copy();
    if (settings.connectionName == null) {
      settings.connectionName = defaultConnectionName();
    }
    this.tls = settings.tls || settings.sslContext != null || settings.keyStore != null
        || settings.trustStore != null || settings.servers.stream()
            .anyMatch(s -> s.startsWith("tls://") || s.startsWith("wss://"));
    SSLContext context;
    if (!tls) {
      context = null;
    } else if (settings.sslContext != null) {
      context = settings.sslContext;
    } else {
      context = TlsContextFactory.create(settings.keyStore, settings.keyStorePassword,
          settings.trustStore, settings.trustStorePassword);
    }
    this.sslContext = context == null || settings.skipHostnameCheck ? context
        : HostnameVerifyingContext.wrap(context);
    this.clientCertificateNotAfter = settings.keyStore == null ? null
        : TlsContextFactory.clientCertificatesNotAfter(settings.keyStore,
            settings.keyStorePassword);
    if (clientCertificateNotAfter != null
        && clientCertificateNotAfter.isBefore(java.time.Instant.now())) {
      log.warn("The client certificate in {} ({}) expired on {}; a server that verifies "
          + "clients will refuse it", settings.keyStore, Key.TLS_KEYSTORE.property(),
          clientCertificateNotAfter);
    }
    String identity = settings.auth.identityKey();
    this.inboxPrefix = settings.inboxPrefix != null ? settings.inboxPrefix
        : identity != null ? SHARED_INBOX_PREFIX + "_" + identity : SHARED_INBOX_PREFIX;
  }

  /** A builder with every default (server {@code nats://localhost:4222}, no authentication). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The configuration from {@link System#getenv()} and {@link System#getProperties()}: {@link
   * NatsConfigLoader#fromEnvironment()}.
   */
  public static NatsTransportConfig fromEnvironment() {
    return NatsConfigLoader.fromEnvironment();
  }

  /**
   * The configuration from these environment variables and properties, a property winning over
   * the variable of the same setting: {@link NatsConfigLoader#fromEnvironment(Map, Properties)}.
   *
   * @throws ConfigurationException as {@link NatsConfigLoader#load}
   */
  public static NatsTransportConfig fromEnvironment(Map<String, String> env, Properties props) {
    return NatsConfigLoader.fromEnvironment(env, props);
  }

  // ------------------------------------------------------------------ accessors

  /** The servers to connect to, each a normalised URL with a scheme. Never empty. */
  public List<String> servers() {
    return settings.servers;
  }

  /** The connection's name as the server shows it. */
  public String connectionName() {
    return Objects.requireNonNull(settings.connectionName);
  }

  /** How the connection authenticates; {@link NatsAuth#none()} by default. */
  public NatsAuth auth() {
    return settings.auth;
  }

  /**
   * Whether connections use TLS: asked for, implied by a {@code tls://} or {@code wss://} URL, a
   * key or trust store, or a given {@link SSLContext}.
   */
  public boolean tls() {
    return tls;
  }

  /**
   * The prefix of this connection's request inboxes ({@code agentbus.nats.inbox-prefix}): by
   * default {@code _INBOX_<public NKey>} when the connection has an identity of its own (an NKey
   * seed, seed file or {@code .creds} file), so that the server can let only this identity read
   * its replies; otherwise the shared {@value #SHARED_INBOX_PREFIX}.
   */
  public String inboxPrefix() {
    return inboxPrefix;
  }

  /**
   * Whether the server's host name is checked against its TLS certificate: true unless {@code
   * agentbus.nats.tls.insecure-skip-hostname-check-for-tests} is set.
   */
  public boolean verifiesHostname() {
    return !settings.skipHostnameCheck;
  }

  /**
   * How long {@link NatsTransport#connect} keeps trying when no server can be reached at startup
   * ({@code agentbus.nats.connect-retry}); zero (the default) fails at the first attempt. Failures
   * that cannot succeed by waiting (refused credentials, TLS errors) are never retried.
   */
  public Duration connectRetry() {
    return settings.connectRetry;
  }

  /** Time allowed to establish a connection to one server. */
  public Duration connectTimeout() {
    return settings.connectTimeout;
  }

  /** Pause between reconnect attempts to the same server. */
  public Duration reconnectWait() {
    return settings.reconnectWait;
  }

  /** Reconnect attempts before giving up; -1 for forever. */
  public int maxReconnects() {
    return settings.maxReconnects;
  }

  /** Bytes of publishes buffered while reconnecting. */
  public long reconnectBufferSize() {
    return settings.reconnectBufferSize;
  }

  /** Interval of the client's keep-alive pings. */
  public Duration pingInterval() {
    return settings.pingInterval;
  }

  /** Unanswered pings after which the connection counts as dead. */
  public int maxPingsOut() {
    return settings.maxPingsOut;
  }

  /**
   * How long a JetStream API call (declaring a stream or consumer, replay set-up), a synchronous
   * acknowledgement, or a replay waiting for its next message may take before it fails.
   */
  public Duration jetStreamApiTimeout() {
    return settings.jetStreamApiTimeout;
  }

  /**
   * The timeout of {@link NatsTransport#drain()}, the drain of callers that give none (and the
   * bound of an unsubscribe's stop). {@link NatsTransport#close()} does not drain.
   */
  public Duration drainTimeout() {
    return settings.drainTimeout;
  }

  /** Messages waiting to be written to the socket. */
  public int outgoingQueueSize() {
    return settings.outgoingQueueSize;
  }

  /** Messages a subscription may hold before it is a slow consumer. */
  public long pendingMessages() {
    return settings.pendingMessages;
  }

  /** Bytes a subscription may hold before it is a slow consumer. */
  public long pendingBytes() {
    return settings.pendingBytes;
  }

  /** When the client certificate of the key store expires, or null without one. */
  java.time.@Nullable Instant clientCertificateNotAfter() {
    return clientCertificateNotAfter;
  }

  /** Whether this client can present a certificate: a key store, or a given context. */
  boolean hasClientCertificateSource() {
    return settings.keyStore != null || settings.sslContext != null;
  }

  /** The TLS context connections use, or null without TLS. */
  @Nullable SSLContext sslContextOrNull() {
    return sslContext;
  }

  /** The caller's last word on the jnats options, or null. */
  @Nullable Consumer<Options.Builder> optionsCustomizer() {
    return settings.optionsCustomizer;
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return settings.copy();
  }

  @Override
  public String toString() {
    return "NatsTransportConfig{servers=" + redactUrls(String.join(",", servers()))
        + ", connectionName=" + connectionName() + ", auth=" + auth() + ", inboxPrefix="
        + inboxPrefix + ", tls=" + tls + (tls && settings.skipHostnameCheck
            ? " (host name NOT checked)" : "")
        + (settings.sslContext != null ? " (given SSLContext)" : "")
        + ", reconnectWait=" + reconnectWait() + ", maxReconnects=" + maxReconnects()
        + ", reconnectBufferSize=" + reconnectBufferSize() + ", pingInterval=" + pingInterval()
        + ", maxPingsOut=" + maxPingsOut() + ", jetStreamApiTimeout=" + jetStreamApiTimeout()
        + ", drainTimeout=" + drainTimeout() + ", outgoingQueueSize=" + outgoingQueueSize()
        + ", pendingMessages=" + pendingMessages() + ", pendingBytes=" + pendingBytes()
        + (settings.optionsCustomizer != null ? ", optionsCustomizer" : "") + "}";
  }

  /** Server URLs with any {@code user:password@} part masked. */
  static String redactUrls(String urls) {
    return urls.replaceAll("//[^/@,]*@", "//***@");
  }

  private static String defaultConnectionName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      host = "unknown-host";
    }
    return "agentbus-" + host + "-" + ProcessHandle.current().pid();
  }

  /**
   * Builds a {@link NatsTransportConfig}. Setters check their argument at once, naming the key and
   * the value; {@link #build()} checks how the settings fit together. Not thread-safe.
   */
  public static final class Builder implements Cloneable {
    // Every field holds an immutable value, so a shallow copy (clone) is a full copy: the config
    // keeps one and toBuilder() hands out another, with no field copied by hand.
    private List<String> servers = List.of(DEFAULT_URL);
    private @Nullable String connectionName;
    private NatsAuth auth = NatsAuth.none();
    private boolean tls;
    private @Nullable Path keyStore;
    private @Nullable String keyStorePassword;
    private @Nullable Path trustStore;
    private @Nullable String trustStorePassword;
    private @Nullable SSLContext sslContext;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration connectRetry = Duration.ZERO;
    private @Nullable String inboxPrefix;
    private boolean skipHostnameCheck;
    private Duration reconnectWait = Duration.ofSeconds(2);
    private int maxReconnects = -1;
    private long reconnectBufferSize = 8L << 20;
    private Duration pingInterval = Duration.ofSeconds(20);
    private int maxPingsOut = 2;
    private Duration jetStreamApiTimeout = Duration.ofSeconds(5);
    private Duration drainTimeout = Duration.ofSeconds(10);
    private int outgoingQueueSize = 65_536;
    private long pendingMessages = 65_536;
    private long pendingBytes = 64L << 20;
    private @Nullable Consumer<Options.Builder> optionsCustomizer;

    private Builder() {}

    private Builder copy() {
      try {
        return (Builder) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }

    /**
     * The servers ({@code agentbus.nats.url}); a URL without a scheme gets {@code nats://}.
     *
     * @throws ConfigurationException naming the key if a URL is malformed or has an unknown
     *     scheme
     */
    public Builder servers(String... urls) {
      return servers(Arrays.asList(urls));
    }

    /** See {@link #servers(String...)}. */
    public Builder servers(List<String> urls) {
      if (urls.isEmpty()) {
        throw new ConfigurationException(Key.URL.property() + " must name at least one server");
      }
      List<String> normalised = new ArrayList<>(urls.size());
      for (String u : urls) {
        normalised.add(normaliseUrl(Objects.requireNonNull(u, "server url")));
      }
      this.servers = List.copyOf(normalised);
      return this;
    }

    /** The connection's name ({@code agentbus.nats.connection-name}). */
    public Builder connectionName(String name) {
      Objects.requireNonNull(name, Key.CONNECTION_NAME.property());
      if (name.isBlank()) {
        throw new ConfigurationException(Key.CONNECTION_NAME.property() + " must not be blank");
      }
      this.connectionName = name;
      return this;
    }

    /** How to authenticate; replaces any authentication set before. Default {@link NatsAuth#none()}. */
    public Builder auth(NatsAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** {@code auth(NatsAuth.token(token))} ({@code agentbus.nats.token}). */
    public Builder token(String token) {
      return auth(NatsAuth.token(token));
    }

    /** {@code auth(NatsAuth.userPassword(user, password))}. */
    public Builder userInfo(String user, String password) {
      return auth(NatsAuth.userPassword(user, password));
    }

    /** {@code auth(NatsAuth.nkeySeed(seed))} ({@code agentbus.nats.nkey-seed}). */
    public Builder nkeySeed(String seed) {
      return auth(NatsAuth.nkeySeed(seed));
    }

    /** {@code auth(NatsAuth.credentialsFile(file))} ({@code agentbus.nats.creds-file}). */
    public Builder credsFile(Path file) {
      return auth(NatsAuth.credentialsFile(file));
    }

    /** {@code auth(NatsAuth.tokenFile(file))} ({@code agentbus.nats.token-file}). */
    public Builder tokenFile(Path file) {
      return auth(NatsAuth.tokenFile(file));
    }

    /** {@code auth(NatsAuth.nkeySeedFile(file))} ({@code agentbus.nats.nkey-seed-file}). */
    public Builder nkeySeedFile(Path file) {
      return auth(NatsAuth.nkeySeedFile(file));
    }

    /**
     * The prefix of request inboxes ({@code agentbus.nats.inbox-prefix}), one or more subject
     * tokens without wildcards; see {@link NatsTransportConfig#inboxPrefix()} for the default.
     *
     * @throws ConfigurationException if it is not a valid subject
     */
    public Builder inboxPrefix(String prefix) {
      Objects.requireNonNull(prefix, Key.INBOX_PREFIX.property());
      String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
      try {
        io.agentbus.Subjects.requireSubject(Key.INBOX_PREFIX.property(), p);
      } catch (RuntimeException e) {
        throw new ConfigurationException(Key.INBOX_PREFIX.property() + " '" + prefix
            + "' is not a valid subject prefix: " + e.getMessage(), e);
      }
      this.inboxPrefix = p;
      return this;
    }

    /**
     * Turns off the check of the server's host name against its certificate ({@code
     * agentbus.nats.tls.insecure-skip-hostname-check-for-tests}). Only for test set-ups whose
     * certificate does not name the host; anyone holding a certificate of a trusted CA can then
     * pose as the server.
     */
    public Builder insecureSkipHostnameCheckForTests(boolean skip) {
      this.skipHostnameCheck = skip;
      return this;
    }

    /**
     * {@code agentbus.nats.connect-retry}: how long the first connect keeps trying while no
     * server answers; zero (the default) or more.
     */
    public Builder connectRetry(Duration retry) {
      this.connectRetry = requireNotNegative(Key.CONNECT_RETRY, retry);
      return this;
    }

    /** Whether to use TLS with the default SSL context ({@code agentbus.nats.tls}). */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * A client certificate store for mutual TLS ({@code agentbus.nats.tls.keystore} and {@code
     * .keystore-password}); loaded when the configuration is built.
     */
    public Builder keyStore(Path store, @Nullable String password) {
      this.keyStore = Objects.requireNonNull(store, "store");
      this.keyStorePassword = password;
      return this;
    }

    /**
     * The certificates trusted to identify the server ({@code agentbus.nats.tls.truststore} and
     * {@code .truststore-password}); loaded when the configuration is built.
     */
    public Builder trustStore(Path store, @Nullable String password) {
      this.trustStore = Objects.requireNonNull(store, "store");
      this.trustStorePassword = password;
      return this;
    }

    /**
     * A ready TLS context, used as it is: TLS is on, and no key or trust store may be set as
     * well. For contexts the stores cannot describe (a custom trust manager, keys from an HSM).
     */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * A last word on the jnats connection options: called with the {@link Options.Builder} after
     * every setting of this configuration has been applied, so it can set what the settings do
     * not cover (a socket factory, an inbox prefix, a server pool) or override one of them. It
     * must not replace the connection or error listener, through which the transport learns of
     * disconnects and slow consumers. It is called once per {@link NatsTransport#connect}.
     */
    public Builder optionsCustomizer(Consumer<Options.Builder> customizer) {
      this.optionsCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** {@code agentbus.nats.connect-timeout}; positive. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = requirePositive(Key.CONNECT_TIMEOUT, timeout);
      return this;
    }

    /** {@code agentbus.nats.reconnect-wait}; zero or more. */
    public Builder reconnectWait(Duration wait) {
      this.reconnectWait = requireNotNegative(Key.RECONNECT_WAIT, wait);
      return this;
    }

    /** {@code agentbus.nats.max-reconnects}; -1 for forever. */
    public Builder maxReconnects(int max) {
      if (max < -1) {
        throw new ConfigurationException(Key.MAX_RECONNECTS.property()
            + " must be -1 (forever) or more, was " + max);
      }
      this.maxReconnects = max;
      return this;
    }

    /** {@code agentbus.nats.reconnect-buffer-size} in bytes; zero or more. */
    public Builder reconnectBufferSize(long bytes) {
      if (bytes < 0) {
        throw new ConfigurationException(Key.RECONNECT_BUFFER_SIZE.property()
            + " must not be negative, was " + bytes);
      }
      this.reconnectBufferSize = bytes;
      return this;
    }

    /** {@code agentbus.nats.ping-interval}; positive. */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = requirePositive(Key.PING_INTERVAL, interval);
      return this;
    }

    /** {@code agentbus.nats.max-pings-out}; at least 1. */
    public Builder maxPingsOut(int max) {
      this.maxPingsOut = requireAtLeastOne(Key.MAX_PINGS_OUT, max);
      return this;
    }

    /** {@code agentbus.nats.jetstream-api-timeout}; positive. See {@link #jetStreamApiTimeout()}. */
    public Builder jetStreamApiTimeout(Duration timeout) {
      this.jetStreamApiTimeout = requirePositive(Key.JETSTREAM_API_TIMEOUT, timeout);
      return this;
    }

    /**
     * {@code agentbus.nats.drain-timeout}: the timeout of {@link NatsTransport#drain()}; zero
     * (that drain closes at once) or more.
     */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = requireNotNegative(Key.DRAIN_TIMEOUT, timeout);
      return this;
    }

    /** {@code agentbus.nats.outgoing-queue-size} in messages; at least 1. */
    public Builder outgoingQueueSize(int messages) {
      this.outgoingQueueSize = requireAtLeastOne(Key.OUTGOING_QUEUE_SIZE, messages);
      return this;
    }

    /** {@code agentbus.nats.pending-messages}; at least 1. */
    public Builder pendingMessages(long messages) {
      this.pendingMessages = requireAtLeastOne(Key.PENDING_MESSAGES, messages);
      return this;
    }

    /** {@code agentbus.nats.pending-bytes}; at least 1. */
    public Builder pendingBytes(long bytes) {
      this.pendingBytes = requireAtLeastOne(Key.PENDING_BYTES, bytes);
      return this;
    }

    /**
     * @throws ConfigurationException when a TLS store cannot be loaded, or a given {@link
     *     SSLContext} comes with a key or trust store
     */
    public NatsTransportConfig build() {
      if (sslContext != null && (keyStore != null || trustStore != null)) {
        throw new ConfigurationException("A given SSLContext and "
            + (keyStore != null ? Key.TLS_KEYSTORE.property() : Key.TLS_TRUSTSTORE.property())
            + " are both set; the context is used as it is, so set the stores in it instead");
      }
      Duration detection = pingInterval.multipliedBy(maxPingsOut + 1L);
      if (detection.compareTo(HEARTBEAT_WINDOW) > 0) {
        log.warn("With {}={} and {}={}, a dead NATS connection is noticed only after about {} s, "
            + "longer than the {} s heartbeat window; other agents may declare this one dead "
            + "first", Key.PING_INTERVAL.property(), pingInterval, Key.MAX_PINGS_OUT.property(),
            maxPingsOut, detection.toSeconds(), HEARTBEAT_WINDOW.toSeconds());
      }
      return new NatsTransportConfig(this);
    }

    private static String normaliseUrl(String raw) {
      String u = raw.trim();
      if (u.isEmpty()) {
        throw new ConfigurationException(Key.URL.property() + " has an empty server URL");
      }
      String withScheme = u.contains("://") ? u : "nats://" + u;
      URI uri;
      try {
        uri = new URI(withScheme);
      } catch (URISyntaxException e) {
        throw invalidUrl(u, e.getReason());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(scheme)) {
        throw invalidUrl(u, "scheme '" + scheme + "' is not one of " + new TreeSet<>(SCHEMES));
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw invalidUrl(u, "no host");
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw invalidUrl(u, "port must be 1 to 65535");
      }
      return withScheme;
    }

    private static ConfigurationException invalidUrl(String url, String why) {
      return new ConfigurationException("Invalid server URL '" + redactUrls(url) + "' in "
          + Key.URL.property() + ": " + why);
    }

    private static Duration requirePositive(Key key, Duration d) {
      Objects.requireNonNull(d, key.property());
      if (d.isNegative() || d.isZero()) {
        throw new ConfigurationException(key.property() + " must be positive, was " + d);
      }
      return d;
    }

    private static Duration requireNotNegative(Key key, Duration d) {
      Objects.requireNonNull(d, key.property());
      if (d.isNegative()) {
        throw new ConfigurationException(key.property() + " must not be negative, was " + d);
      }
      return d;
    }

    private static int requireAtLeastOne(Key key, int n) {
      if (n < 1) {
        throw new ConfigurationException(key.property() + " must be at least 1, was " + n);
      }
      return n;
    }

    private static long requireAtLeastOne(Key key, long n) {
      if (n < 1) {
        throw new ConfigurationException(key.property() + " must be at least 1, was " + n);
      }
      return n;
    }
  }
}
