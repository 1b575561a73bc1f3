package io.agentbus.transport.nats;

import io.agentbus.config.ConfigValues;
import io.agentbus.ConfigurationException;
import io.nats.client.NKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
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
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link NatsTransport} connects: servers, identity, authentication, TLS, reconnection,
 * keep-alive, buffers and limits. Immutable and thread-safe; validated once when built, so that a
 * bad or missing setting fails at startup with a {@link ConfigurationException} that names the key.
 *
 * <p>Build it in code with {@link #builder()}, or read it from system properties and environment
 * variables with {@link #fromEnvironment()}. Each setting has a property {@code agentbus.nats.*}
 * and an environment variable {@code AGENTBUS_NATS_*} (the property upper-cased, with {@code .} and
 * {@code -} as {@code _}); a property wins over the environment variable. The server list also
 * honours {@code NATS_URL}, as the NATS command-line tools do. Unknown {@code agentbus.nats.*}
 * properties and {@code AGENTBUS_NATS_*} variables are rejected, so that a misspelt key is not
 * silently ignored.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>Property</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code agentbus.nats.url}</td><td>{@code NATS_URL}, else
 *       {@code nats://localhost:4222}</td><td>Comma-separated server URLs ({@code nats://},
 *       {@code tls://}, {@code ws://}, {@code wss://}).</td></tr>
 *   <tr><td>{@code agentbus.nats.connection-name}</td><td>{@code agentbus-<host>-<pid>}</td>
 *       <td>The connection's name as the server shows it (monitoring, logs).</td></tr>
 *   <tr><td>{@code agentbus.nats.token}</td><td>none</td><td>Token authentication.</td></tr>
 *   <tr><td>{@code agentbus.nats.user}, {@code agentbus.nats.password}</td><td>none</td>
 *       <td>User and password authentication; both or neither.</td></tr>
 *   <tr><td>{@code agentbus.nats.nkey-seed}</td><td>none</td><td>NKey authentication with this
 *       user seed ({@code SU...}).</td></tr>
 *   <tr><td>{@code agentbus.nats.creds-file}</td><td>none</td><td>Path of a {@code .creds} file
 *       (JWT and NKey seed) for decentralised authentication.</td></tr>
 *   <tr><td>{@code agentbus.nats.tls}</td><td>{@code false}</td><td>Use TLS with the JVM's
 *       default SSL context (implied by a {@code tls://} URL or a key or trust store).</td></tr>
 *   <tr><td>{@code agentbus.nats.tls.keystore}, {@code agentbus.nats.tls.keystore-password}</td>
 *       <td>none</td><td>Client certificate store (PKCS#12 or JKS) for mutual TLS.</td></tr>
 *   <tr><td>{@code agentbus.nats.tls.truststore},
 *       {@code agentbus.nats.tls.truststore-password}</td><td>the JVM's</td><td>Store of the
 *       certificates trusted to identify the server.</td></tr>
 *   <tr><td>{@code agentbus.nats.connect-timeout}</td><td>{@code 5s}</td><td>Time allowed to
 *       establish a connection to one server.</td></tr>
 *   <tr><td>{@code agentbus.nats.reconnect-wait}</td><td>{@code 2s}</td><td>Pause between
 *       reconnect attempts to the same server.</td></tr>
 *   <tr><td>{@code agentbus.nats.max-reconnects}</td><td>{@code -1}</td><td>Reconnect attempts
 *       before giving up and closing; {@code -1} tries forever.</td></tr>
 *   <tr><td>{@code agentbus.nats.reconnect-buffer-size}</td><td>{@code 8MiB}</td><td>Bytes of
 *       publishes held while reconnecting; a publish past it fails at once with a retriable
 *       {@link io.agentbus.TransportException}. {@code 0} fails every publish while
 *       disconnected.</td></tr>
 *   <tr><td>{@code agentbus.nats.ping-interval}</td><td>{@code 20s}</td><td>Interval of the
 *       client's keep-alive pings.</td></tr>
 *   <tr><td>{@code agentbus.nats.max-pings-out}</td><td>{@code 2}</td><td>Unanswered pings after
 *       which the connection counts as dead and is re-established (so a dead connection is
 *       noticed after about ping-interval &times; (max-pings-out + 1), 60 s by default, inside
 *       the 90 s heartbeat window).</td></tr>
 *   <tr><td>{@code agentbus.nats.request-timeout}</td><td>{@code 5s}</td><td>Default timeout
 *       of requests, for callers that do not give one ({@link #requestTimeout()}).</td></tr>
 *   <tr><td>{@code agentbus.nats.drain-timeout}</td><td>{@code 10s}</td><td>How long {@link
 *       NatsTransport#close()} lets handlers finish what they received before closing
 *       anyway.</td></tr>
 *   <tr><td>{@code agentbus.nats.outgoing-queue-size}</td><td>{@code 65536}</td><td>Messages
 *       waiting to be written to the socket; a publish that finds it full waits up to 2 s, then
 *       fails with a retriable {@link io.agentbus.TransportException}.</td></tr>
 *   <tr><td>{@code agentbus.nats.pending-messages}</td><td>{@code 65536}</td><td>Messages a
 *       subscription may hold before its handler takes them; past it the subscription is a
 *       slow consumer and newer messages are dropped and counted.</td></tr>
 *   <tr><td>{@code agentbus.nats.pending-bytes}</td><td>{@code 64MiB}</td><td>The same bound in
 *       bytes.</td></tr>
 * </table>
 *
 * <p>Durations are written {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h} or in ISO-8601
 * ({@code PT2S}); sizes as bytes or with a binary unit ({@code 512k}, {@code 8MiB}, {@code 1g}).
 * Passwords, tokens and seeds never appear in messages or in {@link #toString()}.
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
    USER("user"),
    PASSWORD("password"),
    NKEY_SEED("nkey-seed"),
    CREDS_FILE("creds-file"),
    TLS("tls"),
    TLS_KEYSTORE("tls.keystore"),
    TLS_KEYSTORE_PASSWORD("tls.keystore-password"),
    TLS_TRUSTSTORE("tls.truststore"),
    TLS_TRUSTSTORE_PASSWORD("tls.truststore-password"),
    CONNECT_TIMEOUT("connect-timeout"),
    RECONNECT_WAIT("reconnect-wait"),
    MAX_RECONNECTS("max-reconnects"),
    RECONNECT_BUFFER_SIZE("reconnect-buffer-size"),
    PING_INTERVAL("ping-interval"),
    MAX_PINGS_OUT("max-pings-out"),
    REQUEST_TIMEOUT("request-timeout"),
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
      this.environmentVariable = ENV_PREFIX
          + suffix.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The system property, e.g. {@code agentbus.nats.reconnect-wait}. */
    public String property() {
      return property;
    }

    /** The environment variable, e.g. {@code AGENTBUS_NATS_RECONNECT_WAIT}. */
    public String environmentVariable() {
      return environmentVariable;
    }
  }

  private final List<String> servers;
  private final String connectionName;
  private final @Nullable String token;
  private final @Nullable String user;
  private final @Nullable String password;
  private final @Nullable String nkeySeed;
  private final @Nullable Path credsFile;
  private final boolean tls;
  private final @Nullable Path keyStore;
  private final @Nullable String keyStorePassword;
  private final @Nullable Path trustStore;
  private final @Nullable String trustStorePassword;
  private final Duration connectTimeout;
  private final Duration reconnectWait;
  private final int maxReconnects;
  private final long reconnectBufferSize;
  private final Duration pingInterval;
  private final int maxPingsOut;
  private final Duration requestTimeout;
  private final Duration drainTimeout;
  private final int outgoingQueueSize;
  private final long pendingMessages;
  private final long pendingBytes;
  private final @Nullable SSLContext sslContext;

  private NatsTransportConfig(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.connectionName = b.connectionName == null ? defaultConnectionName() : b.connectionName;
    this.token = b.token;
    this.user = b.user;
    this.password = b.password;
    this.nkeySeed = b.nkeySeed;
    this.credsFile = b.credsFile;
    this.keyStore = b.keyStore;
    this.keyStorePassword = b.keyStorePassword;
    this.trustStore = b.trustStore;
    this.trustStorePassword = b.trustStorePassword;
    this.tls = b.tls || keyStore != null || trustStore != null
        || servers.stream().anyMatch(s -> s.startsWith("tls://") || s.startsWith("wss://"));
    this.connectTimeout = b.connectTimeout;
    this.reconnectWait = b.reconnectWait;
    this.maxReconnects = b.maxReconnects;
    this.reconnectBufferSize = b.reconnectBufferSize;
    this.pingInterval = b.pingInterval;
    this.maxPingsOut = b.maxPingsOut;
    this.requestTimeout = b.requestTimeout;
    this.drainTimeout = b.drainTimeout;
    this.outgoingQueueSize = b.outgoingQueueSize;
    this.pendingMessages = b.pendingMessages;
    this.pendingBytes = b.pendingBytes;
    this.sslContext = tls ? sslContext() : null;
  }

  /** A builder with every default (server {@code nats://localhost:4222}, no authentication). */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration from {@link System#getenv()} and {@link System#getProperties()}. */
  public static NatsTransportConfig fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperties());
  }

  /**
   * The configuration from these environment variables and properties; a property wins over the
   * variable of the same setting. Blank values count as unset.
   *
   * @throws ConfigurationException naming the key of a bad value, an unknown {@code
   *     agentbus.nats.*} property or {@code AGENTBUS_NATS_*} variable, or a missing companion
   *     setting (a user without a password, ...)
   */
  public static NatsTransportConfig fromEnvironment(Map<String, String> env, Properties props) {
    rejectUnknown(env, props);
    Builder b = builder();
    Source src = new Source(env, props);
    String url = src.raw(Key.URL);
    if (url == null) {
      String natsUrl = env.get(NATS_URL);
      if (natsUrl != null && !natsUrl.isBlank()) {
        b.servers(splitServers(natsUrl, NATS_URL));
      }
    } else {
      b.servers(splitServers(url, src.name(Key.URL)));
    }
    src.ifSet(Key.CONNECTION_NAME, v -> v, b::connectionName);
    src.ifSet(Key.TOKEN, v -> v, b::token);
    String user = src.raw(Key.USER);
    String password = src.raw(Key.PASSWORD);
    if (user != null || password != null) {
      if (user == null) {
        throw new ConfigurationException(src.name(Key.PASSWORD) + " is set but "
            + Key.USER.property() + " (" + Key.USER.environmentVariable() + ") is missing");
      }
      if (password == null) {
        throw new ConfigurationException(src.name(Key.USER) + " is set but "
            + Key.PASSWORD.property() + " (" + Key.PASSWORD.environmentVariable()
            + ") is missing");
      }
      b.userInfo(user, password);
    }
    src.ifSet(Key.NKEY_SEED, v -> v, b::nkeySeed);
    src.ifSet(Key.CREDS_FILE, Path::of, b::credsFile);
    src.ifSet(Key.TLS, v -> ConfigValues.bool(src.name(Key.TLS), v), b::tls);
    String ks = src.raw(Key.TLS_KEYSTORE);
    if (ks != null) {
      b.keyStore(Path.of(ks), src.raw(Key.TLS_KEYSTORE_PASSWORD));
    } else if (src.raw(Key.TLS_KEYSTORE_PASSWORD) != null) {
      throw new ConfigurationException(src.name(Key.TLS_KEYSTORE_PASSWORD) + " is set but "
          + Key.TLS_KEYSTORE.property() + " is missing");
    }
    String ts = src.raw(Key.TLS_TRUSTSTORE);
    if (ts != null) {
      b.trustStore(Path.of(ts), src.raw(Key.TLS_TRUSTSTORE_PASSWORD));
    } else if (src.raw(Key.TLS_TRUSTSTORE_PASSWORD) != null) {
      throw new ConfigurationException(src.name(Key.TLS_TRUSTSTORE_PASSWORD) + " is set but "
          + Key.TLS_TRUSTSTORE.property() + " is missing");
    }
    src.ifSet(Key.CONNECT_TIMEOUT, src.duration(Key.CONNECT_TIMEOUT), b::connectTimeout);
    src.ifSet(Key.RECONNECT_WAIT, src.duration(Key.RECONNECT_WAIT), b::reconnectWait);
    src.ifSet(Key.MAX_RECONNECTS, v -> ConfigValues.integer(src.name(Key.MAX_RECONNECTS), v),
        b::maxReconnects);
    src.ifSet(Key.RECONNECT_BUFFER_SIZE,
        v -> ConfigValues.size(src.name(Key.RECONNECT_BUFFER_SIZE), v), b::reconnectBufferSize);
    src.ifSet(Key.PING_INTERVAL, src.duration(Key.PING_INTERVAL), b::pingInterval);
    src.ifSet(Key.MAX_PINGS_OUT, v -> ConfigValues.integer(src.name(Key.MAX_PINGS_OUT), v),
        b::maxPingsOut);
    src.ifSet(Key.REQUEST_TIMEOUT, src.duration(Key.REQUEST_TIMEOUT), b::requestTimeout);
    src.ifSet(Key.DRAIN_TIMEOUT, src.duration(Key.DRAIN_TIMEOUT), b::drainTimeout);
    src.ifSet(Key.OUTGOING_QUEUE_SIZE,
        v -> ConfigValues.integer(src.name(Key.OUTGOING_QUEUE_SIZE), v), b::outgoingQueueSize);
    src.ifSet(Key.PENDING_MESSAGES,
        v -> (long) ConfigValues.integer(src.name(Key.PENDING_MESSAGES), v), b::pendingMessages);
    src.ifSet(Key.PENDING_BYTES, v -> ConfigValues.size(src.name(Key.PENDING_BYTES), v),
        b::pendingBytes);
    return b.build();
  }

  private static void rejectUnknown(Map<String, String> env, Properties props) {
    Set<String> knownProps = Arrays.stream(Key.values()).map(Key::property)
        .collect(Collectors.toSet());
    Set<String> knownEnv = Arrays.stream(Key.values()).map(Key::environmentVariable)
        .collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>();
    for (String name : props.stringPropertyNames()) {
      if (name.startsWith(Key.PROPERTY_PREFIX) && !knownProps.contains(name)) {
        unknown.add("property " + name);
      }
    }
    for (String name : env.keySet()) {
      if (name.startsWith(Key.ENV_PREFIX) && !knownEnv.contains(name)) {
        unknown.add("environment variable " + name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("Unknown NATS setting: " + String.join(", ", unknown)
          + ". Known properties: " + String.join(", ", new TreeSet<>(knownProps))
          + " (or the matching " + Key.ENV_PREFIX + "* environment variables)");
    }
  }

  private static List<String> splitServers(String raw, String source) {
    List<String> list = new ArrayList<>();
    for (String s : raw.split(",")) {
      String t = s.trim();
      if (t.isEmpty()) {
        throw new ConfigurationException("Invalid server list for " + source
            + ": empty entry in '" + redactUrls(raw) + "'");
      }
      list.add(t);
    }
    return list;
  }

  // ------------------------------------------------------------------ accessors

  /** The servers to connect to, each a normalised URL with a scheme. Never empty. */
  public List<String> servers() {
    return servers;
  }

  /** The connection's name as the server shows it. */
  public String connectionName() {
    return connectionName;
  }

  /** The authentication method in use: {@code none}, {@code token}, {@code user}, {@code nkey}
   * or {@code creds}. */
  public String authentication() {
    if (token != null) {
      return "token";
    }
    if (user != null) {
      return "user";
    }
    if (nkeySeed != null) {
      return "nkey";
    }
    return credsFile != null ? "creds" : "none";
  }

  /** The user of user and password authentication, or null. */
  public @Nullable String user() {
    return user;
  }

  /** The creds file, or null. */
  public @Nullable Path credsFile() {
    return credsFile;
  }

  /** Whether connections use TLS. */
  public boolean tls() {
    return tls;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration reconnectWait() {
    return reconnectWait;
  }

  /** Reconnect attempts before giving up; -1 for forever. */
  public int maxReconnects() {
    return maxReconnects;
  }

  /** Bytes of publishes buffered while reconnecting. */
  public long reconnectBufferSize() {
    return reconnectBufferSize;
  }

  public Duration pingInterval() {
    return pingInterval;
  }

  public int maxPingsOut() {
    return maxPingsOut;
  }

  /** The default request timeout, for callers that do not give one. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** How long {@link NatsTransport#close()} drains before closing anyway. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** Messages waiting to be written to the socket. */
  public int outgoingQueueSize() {
    return outgoingQueueSize;
  }

  /** Messages a subscription may hold before it is a slow consumer. */
  public long pendingMessages() {
    return pendingMessages;
  }

  /** Bytes a subscription may hold before it is a slow consumer. */
  public long pendingBytes() {
    return pendingBytes;
  }

  // package-private: secrets stay inside the module
  @Nullable String token() {
    return token;
  }

  @Nullable String password() {
    return password;
  }

  @Nullable String nkeySeed() {
    return nkeySeed;
  }

  @Nullable SSLContext sslContextOrNull() {
    return sslContext;
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.servers = new ArrayList<>(servers);
    b.connectionName = connectionName;
    b.token = token;
    b.user = user;
    b.password = password;
    b.nkeySeed = nkeySeed;
    b.credsFile = credsFile;
    b.tls = tls;
    b.keyStore = keyStore;
    b.keyStorePassword = keyStorePassword;
    b.trustStore = trustStore;
    b.trustStorePassword = trustStorePassword;
    b.connectTimeout = connectTimeout;
    b.reconnectWait = reconnectWait;
    b.maxReconnects = maxReconnects;
    b.reconnectBufferSize = reconnectBufferSize;
    b.pingInterval = pingInterval;
    b.maxPingsOut = maxPingsOut;
    b.requestTimeout = requestTimeout;
    b.drainTimeout = drainTimeout;
    b.outgoingQueueSize = outgoingQueueSize;
    b.pendingMessages = pendingMessages;
    b.pendingBytes = pendingBytes;
    return b;
  }

  @Override
  public String toString() {
    return "NatsTransportConfig{servers=" + redactUrls(String.join(",", servers))
        + ", connectionName=" + connectionName + ", auth=" + authentication()
        + (user != null ? " (" + user + ")" : "") + ", tls=" + tls
        + ", reconnectWait=" + reconnectWait + ", maxReconnects=" + maxReconnects
        + ", reconnectBufferSize=" + reconnectBufferSize + ", pingInterval=" + pingInterval
        + ", maxPingsOut=" + maxPingsOut + ", requestTimeout=" + requestTimeout
        + ", drainTimeout=" + drainTimeout + ", outgoingQueueSize=" + outgoingQueueSize
        + ", pendingMessages=" + pendingMessages + ", pendingBytes=" + pendingBytes + "}";
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

  private SSLContext sslContext() {
    try {
      if (keyStore == null && trustStore == null) {
        return SSLContext.getDefault();
      }
      KeyManagerFactory kmf = null;
      if (keyStore != null) {
        char[] pw = keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray();
        KeyStore ks = loadStore(keyStore, pw, Key.TLS_KEYSTORE);
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
          kmf.init(ks, pw);
        } catch (GeneralSecurityException e) {
          throw new ConfigurationException("Cannot use the key in " + keyStore + " ("
              + Key.TLS_KEYSTORE.property() + "): " + e.getMessage()
              + "; check " + Key.TLS_KEYSTORE_PASSWORD.property(), e);
        }
      }
      TrustManagerFactory tmf = null;
      if (trustStore != null) {
        char[] pw = trustStorePassword == null ? null : trustStorePassword.toCharArray();
        KeyStore ts = loadStore(trustStore, pw, Key.TLS_TRUSTSTORE);
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(),
          tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("Cannot set up TLS (" + Key.TLS.property() + "): "
          + e.getMessage(), e);
    }
  }

  private static KeyStore loadStore(Path path, char @Nullable [] password, Key key) {
    Key passwordKey = key == Key.TLS_KEYSTORE ? Key.TLS_KEYSTORE_PASSWORD
        : Key.TLS_TRUSTSTORE_PASSWORD;
    if (!Files.isReadable(path)) {
      throw new ConfigurationException(key.property() + " (" + key.environmentVariable()
          + "): cannot read " + path + " (no such file, or not readable)");
    }
    try {
      return KeyStore.getInstance(path.toFile(), password);
    } catch (IOException e) {
      throw new ConfigurationException(key.property() + ": cannot load " + path + ": "
          + e.getMessage() + " (is it a PKCS#12 or JKS store, and is "
          + passwordKey.property() + " right?)", e);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(key.property() + ": cannot load " + path + ": "
          + e.getMessage(), e);
    }
  }

  /** Where fromEnvironment reads a key, and how its errors name it. */
  private static final class Source {
    private final Map<String, String> env;
    private final Properties props;

    Source(Map<String, String> env, Properties props) {
      this.env = env;
      this.props = props;
    }

    @Nullable String raw(Key key) {
      String p = props.getProperty(key.property());
      if (p != null && !p.isBlank()) {
        return p.trim();
      }
      String e = env.get(key.environmentVariable());
      return e == null || e.isBlank() ? null : e.trim();
    }

    /** The name the value came from, for error messages. */
    String name(Key key) {
      String p = props.getProperty(key.property());
      if (p != null && !p.isBlank()) {
        return key.property();
      }
      return key.environmentVariable() + " (" + key.property() + ")";
    }

    Function<String, Duration> duration(Key key) {
      return v -> ConfigValues.duration(name(key), v);
    }

    <T> void ifSet(Key key, Function<String, T> parse, java.util.function.Consumer<T> set) {
      String v = raw(key);
      if (v == null) {
        return;
      }
      T parsed = parse.apply(v);
      try {
        set.accept(parsed);
      } catch (ConfigurationException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains(key.environmentVariable()) || name(key).equals(key.property())) {
          throw e;
        }
        throw new ConfigurationException(message + " (set by " + key.environmentVariable() + ")",
            e);
      }
    }
  }

  /**
   * Builds a {@link NatsTransportConfig}. Setters check their argument at once; {@link #build()}
   * checks how the settings fit together. Not thread-safe.
   */
  public static final class Builder {
    private List<String> servers = new ArrayList<>(List.of(DEFAULT_URL));
    private @Nullable String connectionName;
    private @Nullable String token;
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable String nkeySeed;
    private @Nullable Path credsFile;
    private boolean tls;
    private @Nullable Path keyStore;
    private @Nullable String keyStorePassword;
    private @Nullable Path trustStore;
    private @Nullable String trustStorePassword;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration reconnectWait = Duration.ofSeconds(2);
    private int maxReconnects = -1;
    private long reconnectBufferSize = 8L << 20;
    private Duration pingInterval = Duration.ofSeconds(20);
    private int maxPingsOut = 2;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private Duration drainTimeout = Duration.ofSeconds(10);
    private int outgoingQueueSize = 65_536;
    private long pendingMessages = 65_536;
    private long pendingBytes = 64L << 20;

    private Builder() {}

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
      this.servers = normalised;
      return this;
    }

    /** The connection's name ({@code agentbus.nats.connection-name}). */
    public Builder connectionName(String name) {
      this.connectionName = requireText(Key.CONNECTION_NAME, name);
      return this;
    }

    /** Token authentication ({@code agentbus.nats.token}). */
    public Builder token(String token) {
      this.token = requireText(Key.TOKEN, token);
      return this;
    }

    /** User and password authentication ({@code agentbus.nats.user}, {@code .password}). */
    public Builder userInfo(String user, String password) {
      this.user = requireText(Key.USER, user);
      this.password = requireText(Key.PASSWORD, password);
      return this;
    }

    /**
     * NKey authentication with a user seed ({@code agentbus.nats.nkey-seed}).
     *
     * @throws ConfigurationException if the seed is not a valid NKey seed
     */
    public Builder nkeySeed(String seed) {
      String s = requireText(Key.NKEY_SEED, seed);
      try {
        NKey.fromSeed(s.toCharArray());
      } catch (RuntimeException e) {
        throw new ConfigurationException(Key.NKEY_SEED.property() + " ("
            + Key.NKEY_SEED.environmentVariable() + ") is not a valid NKey seed: it should "
            + "start with 'SU' and be the seed printed by 'nsc' or 'nk -gen user'");
      }
      this.nkeySeed = s;
      return this;
    }

    /**
     * Decentralised (JWT) authentication with a {@code .creds} file ({@code
     * agentbus.nats.creds-file}).
     *
     * @throws ConfigurationException if the file cannot be read
     */
    public Builder credsFile(Path file) {
      Objects.requireNonNull(file, "file");
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new ConfigurationException(Key.CREDS_FILE.property() + " ("
            + Key.CREDS_FILE.environmentVariable() + "): cannot read " + file
            + " (no such file, or not readable)");
      }
      this.credsFile = file;
      return this;
    }

    /** Whether to use TLS with the default SSL context ({@code agentbus.nats.tls}). */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * A client certificate store for mutual TLS ({@code agentbus.nats.tls.keystore} and {@code
     * .keystore-password}); checked when the configuration is built.
     */
    public Builder keyStore(Path store, @Nullable String password) {
      this.keyStore = Objects.requireNonNull(store, "store");
      this.keyStorePassword = password;
      return this;
    }

    /**
     * The certificates trusted to identify the server ({@code agentbus.nats.tls.truststore} and
     * {@code .truststore-password}); checked when the configuration is built.
     */
    public Builder trustStore(Path store, @Nullable String password) {
      this.trustStore = Objects.requireNonNull(store, "store");
      this.trustStorePassword = password;
      return this;
    }

    /** {@code agentbus.nats.connect-timeout}; positive. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = requirePositive(Key.CONNECT_TIMEOUT, timeout);
      return this;
    }

    /** {@code agentbus.nats.reconnect-wait}; zero or more. */
    public Builder reconnectWait(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new ConfigurationException(Key.RECONNECT_WAIT.property()
            + " must not be negative, was " + wait);
      }
      this.reconnectWait = wait;
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
      if (max < 1) {
        throw new ConfigurationException(Key.MAX_PINGS_OUT.property()
            + " must be at least 1, was " + max);
      }
      this.maxPingsOut = max;
      return this;
    }

    /** {@code agentbus.nats.request-timeout}; positive. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = requirePositive(Key.REQUEST_TIMEOUT, timeout);
      return this;
    }

    /** {@code agentbus.nats.drain-timeout}; zero (close at once) or more. */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new ConfigurationException(Key.DRAIN_TIMEOUT.property()
            + " must not be negative, was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** {@code agentbus.nats.outgoing-queue-size} in messages; at least 1. */
    public Builder outgoingQueueSize(int messages) {
      if (messages < 1) {
        throw new ConfigurationException(Key.OUTGOING_QUEUE_SIZE.property()
            + " must be at least 1, was " + messages);
      }
      this.outgoingQueueSize = messages;
      return this;
    }

    /** {@code agentbus.nats.pending-messages}; at least 1. */
    public Builder pendingMessages(long messages) {
      if (messages < 1) {
        throw new ConfigurationException(Key.PENDING_MESSAGES.property()
            + " must be at least 1, was " + messages);
      }
      this.pendingMessages = messages;
      return this;
    }

    /** {@code agentbus.nats.pending-bytes}; at least 1. */
    public Builder pendingBytes(long bytes) {
      if (bytes < 1) {
        throw new ConfigurationException(Key.PENDING_BYTES.property()
            + " must be at least 1, was " + bytes);
      }
      this.pendingBytes = bytes;
      return this;
    }

    /**
     * @throws ConfigurationException naming the keys when more than one authentication method is
     *     set, or when a TLS store cannot be loaded
     */
    public NatsTransportConfig build() {
      List<String> auth = new ArrayList<>();
      if (token != null) {
        auth.add(Key.TOKEN.property());
      }
      if (user != null) {
        auth.add(Key.USER.property() + "/" + Key.PASSWORD.property());
      }
      if (nkeySeed != null) {
        auth.add(Key.NKEY_SEED.property());
      }
      if (credsFile != null) {
        auth.add(Key.CREDS_FILE.property());
      }
      if (auth.size() > 1) {
        throw new ConfigurationException("Choose one NATS authentication method; these are all "
            + "set: " + String.join(", ", auth));
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
        throw new ConfigurationException("Invalid server URL '" + redactUrls(u) + "' in "
            + Key.URL.property() + ": " + e.getReason());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(scheme)) {
        throw new ConfigurationException("Invalid server URL '" + redactUrls(u) + "' in "
            + Key.URL.property() + ": scheme '" + scheme + "' is not one of "
            + new TreeSet<>(SCHEMES));
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new ConfigurationException("Invalid server URL '" + redactUrls(u) + "' in "
            + Key.URL.property() + ": no host");
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw new ConfigurationException("Invalid server URL '" + redactUrls(u) + "' in "
            + Key.URL.property() + ": port must be 1 to 65535");
      }
      return withScheme;
    }

    private static String requireText(Key key, String value) {
      Objects.requireNonNull(value, key.property());
      if (value.isBlank()) {
        throw new ConfigurationException(key.property() + " must not be blank");
      }
      return value;
    }

    private static Duration requirePositive(Key key, Duration d) {
      Objects.requireNonNull(d, key.property());
      if (d.isNegative() || d.isZero()) {
        throw new ConfigurationException(key.property() + " must be positive, was " + d);
      }
      return d;
    }
  }
}
