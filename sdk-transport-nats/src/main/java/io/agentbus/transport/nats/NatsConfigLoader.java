package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.config.ConfigValues;
import io.agentbus.config.Settings;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link NatsTransportConfig} from {@link Settings}: each {@link Key} by its property
 * ({@code agentbus.nats.*}) or environment variable ({@code AGENTBUS_NATS_*}), the layer of
 * highest precedence winning; the server list also from {@code NATS_URL}, as the NATS tools do,
 * below {@code agentbus.nats.url} and {@code AGENTBUS_NATS_URL} of the same layer. Values are
 * parsed with {@link ConfigValues}, the one grammar of AgentBus settings.
 *
 * <p>Every error is a {@link ConfigurationException} naming the key, the value (never a secret's)
 * and where it came from. An unknown {@code agentbus.nats.*} property or {@code AGENTBUS_NATS_*}
 * variable is an error listing the known keys, so that a misspelt key is not silently ignored.
 *
 * <p>The key {@code agentbus.nats.request-timeout} ({@code AGENTBUS_NATS_REQUEST_TIMEOUT}), which
 * was documented as a default request timeout but only ever bounded JetStream API calls, is still
 * read, as {@code agentbus.nats.jetstream-api-timeout}, with a warning naming the new key; setting
 * both is an error.
 */
public final class NatsConfigLoader {
  private static final Logger log = LoggerFactory.getLogger(NatsConfigLoader.class);
  /** The former name of {@link Key#JETSTREAM_API_TIMEOUT}. */
  static final String RENAMED_REQUEST_TIMEOUT = Key.PROPERTY_PREFIX + "request-timeout";

  private final Settings settings;

  private NatsConfigLoader(Settings settings) {
    this.settings = settings;
  }

  /**
   * The configuration these settings describe.
   *
   * @throws ConfigurationException naming the key of a bad value, an unknown {@code
   *     agentbus.nats.*} property or {@code AGENTBUS_NATS_*} variable, or a missing companion
   *     setting (a user without a password, ...), or more than one authentication method
   */
  public static NatsTransportConfig load(Settings settings) {
    return new NatsConfigLoader(settings).load();
  }

  /** The configuration from {@link System#getenv()} and {@link System#getProperties()}. */
  public static NatsTransportConfig fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperties());
  }

  /**
   * The configuration from these environment variables and properties; a property wins over the
   * variable of the same setting. Blank values count as unset.
   *
   * @throws ConfigurationException as {@link #load}
   */
  public static NatsTransportConfig fromEnvironment(Map<String, String> env, Properties props) {
    Map<String, String> properties = new HashMap<>();
    for (String name : props.stringPropertyNames()) {
      properties.put(name, props.getProperty(name));
    }
    return load(Settings.builder().environment(env)
        .properties("system properties", properties).build());
  }

  private NatsTransportConfig load() {
    rejectUnknown();
    NatsTransportConfig.Builder b = NatsTransportConfig.builder();
    Settings.Value url = servers();
    if (url != null) {
      withOrigin(url, () -> b.servers(ConfigValues.list(url.text())));
    }
    set(Key.CONNECTION_NAME, (source, v) -> v, b::connectionName);
    b.auth(auth());
    set(Key.INBOX_PREFIX, (source, v) -> v, b::inboxPrefix);
    set(Key.TLS, ConfigValues::bool, b::tls);
    set(Key.TLS_INSECURE_SKIP_HOSTNAME_CHECK, ConfigValues::bool,
        b::insecureSkipHostnameCheckForTests);
    set(Key.CONNECT_RETRY, ConfigValues::duration, b::connectRetry);
    store(Key.TLS_KEYSTORE, Key.TLS_KEYSTORE_PASSWORD, b::keyStore);
    store(Key.TLS_TRUSTSTORE, Key.TLS_TRUSTSTORE_PASSWORD, b::trustStore);
    set(Key.CONNECT_TIMEOUT, ConfigValues::duration, b::connectTimeout);
    set(Key.RECONNECT_WAIT, ConfigValues::duration, b::reconnectWait);
    set(Key.MAX_RECONNECTS, ConfigValues::integer, b::maxReconnects);
    set(Key.RECONNECT_BUFFER_SIZE, ConfigValues::size, b::reconnectBufferSize);
    set(Key.PING_INTERVAL, ConfigValues::duration, b::pingInterval);
    set(Key.MAX_PINGS_OUT, ConfigValues::integer, b::maxPingsOut);
    jetStreamApiTimeout(b);
    set(Key.DRAIN_TIMEOUT, ConfigValues::duration, b::drainTimeout);
    set(Key.OUTGOING_QUEUE_SIZE, ConfigValues::integer, b::outgoingQueueSize);
    set(Key.PENDING_MESSAGES, (source, v) -> (long) ConfigValues.integer(source, v),
        b::pendingMessages);
    set(Key.PENDING_BYTES, ConfigValues::size, b::pendingBytes);
    return b.build();
  }

  /** {@code agentbus.nats.url} / {@code AGENTBUS_NATS_URL}, else {@code NATS_URL}, by layer. */
  private Settings.@Nullable Value servers() {
    Settings.Value ours = find(Key.URL);
    if (ours != null && isVariable(ours, Key.URL.environmentVariable())) {
      return ours;
    }
    // the property of a lower layer (a file) yields to NATS_URL in the environment
    Settings.Value tools = settings.find(Key.URL.property(), NatsTransportConfig.NATS_URL);
    return tools != null ? tools : ours;
  }

  private NatsAuth auth() {
    Settings.Value token = find(Key.TOKEN);
    Settings.Value tokenFile = find(Key.TOKEN_FILE);
    Settings.Value user = find(Key.USER);
    Settings.Value password = find(Key.PASSWORD);
    Settings.Value seed = find(Key.NKEY_SEED);
    Settings.Value creds = find(Key.CREDS_FILE);
    Settings.Value seedFile = find(Key.NKEY_SEED_FILE);
    if (user != null && password == null) {
      throw missing(Key.USER, user, Key.PASSWORD);
    }
    if (password != null && user == null) {
      throw missing(Key.PASSWORD, password, Key.USER);
    }
    Set<String> chosen = new TreeSet<>();
    if (token != null) {
      chosen.add(Key.TOKEN.property());
    }
    if (tokenFile != null) {
      chosen.add(Key.TOKEN_FILE.property());
    }
    if (user != null) {
      chosen.add(Key.USER.property() + "/" + Key.PASSWORD.property());
    }
    if (seed != null) {
      chosen.add(Key.NKEY_SEED.property());
    }
    if (creds != null) {
      chosen.add(Key.CREDS_FILE.property());
    }
    if (seedFile != null) {
      chosen.add(Key.NKEY_SEED_FILE.property());
    }
    if (chosen.size() > 1) {
      throw new ConfigurationException("Choose one NATS authentication method; these are all "
          + "set: " + String.join(", ", chosen));
    }
    if (token != null) {
      return withOrigin(token, () -> NatsAuth.token(token.text()));
    }
    if (tokenFile != null) {
      return withOrigin(tokenFile, () -> NatsAuth.tokenFile(Path.of(tokenFile.text())));
    }
    if (user != null && password != null) {
      return withOrigin(user, () -> NatsAuth.userPassword(user.text(), password.text()));
    }
    if (seed != null) {
      return withOrigin(seed, () -> NatsAuth.nkeySeed(seed.text()));
    }
    if (creds != null) {
      return withOrigin(creds, () -> NatsAuth.credentialsFile(Path.of(creds.text())));
    }
    if (seedFile != null) {
      return withOrigin(seedFile, () -> NatsAuth.nkeySeedFile(Path.of(seedFile.text())));
    }
    return NatsAuth.none();
  }

  /** A key or trust store and its password; a password without its store is an error. */
  private void store(Key storeKey, Key passwordKey, BiConsumer<Path, @Nullable String> set) {
    Settings.Value store = find(storeKey);
    Settings.Value password = find(passwordKey);
    if (store != null) {
      set.accept(Path.of(store.text()), text(password));
    } else if (password != null) {
      throw missing(passwordKey, password, storeKey);
    }
  }

  private void jetStreamApiTimeout(NatsTransportConfig.Builder b) {
    String oldVariable = Key.environmentVariableOf(RENAMED_REQUEST_TIMEOUT);
    Settings.Value old = settings.find(RENAMED_REQUEST_TIMEOUT, oldVariable);
    Settings.Value current = find(Key.JETSTREAM_API_TIMEOUT);
    if (old == null) {
      set(Key.JETSTREAM_API_TIMEOUT, ConfigValues::duration, b::jetStreamApiTimeout);
      return;
    }
    String oldSource = Settings.describe(RENAMED_REQUEST_TIMEOUT, old);
    if (current != null) {
      throw new ConfigurationException(oldSource + " and "
          + Settings.describe(Key.JETSTREAM_API_TIMEOUT.property(), current) + " are both set; "
          + RENAMED_REQUEST_TIMEOUT + " is the former name of "
          + Key.JETSTREAM_API_TIMEOUT.property() + ": remove it");
    }
    log.warn("{} is deprecated: it has only ever bounded JetStream API calls, and is read as {} "
        + "({}); rename it. The default request timeout is agentbus.request.timeout.",
        oldSource, Key.JETSTREAM_API_TIMEOUT.property(),
        Key.JETSTREAM_API_TIMEOUT.environmentVariable());
    Duration d = ConfigValues.duration(oldSource, old.text());
    withOrigin(old, () -> b.jetStreamApiTimeout(d));
  }

  private void rejectUnknown() {
    Set<String> knownProps = Arrays.stream(Key.values()).map(Key::property)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> knownEnv = Arrays.stream(Key.values()).map(Key::environmentVariable)
        .collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>();
    for (String name : settings.propertyNames(Key.PROPERTY_PREFIX)) {
      if (!knownProps.contains(name) && !name.equals(RENAMED_REQUEST_TIMEOUT)) {
        unknown.add("property " + name);
      }
    }
    for (String name : settings.environmentNames(Key.ENV_PREFIX)) {
      if (!knownEnv.contains(name)
          && !name.equals(Key.environmentVariableOf(RENAMED_REQUEST_TIMEOUT))) {
        unknown.add("environment variable " + name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigurationException("Unknown NATS setting: " + String.join(", ", unknown)
          + ". Known properties: " + String.join(", ", knownProps)
          + " (or the matching " + Key.ENV_PREFIX + "* environment variables)");
    }
  }

  private Settings.@Nullable Value find(Key key) {
    return settings.find(key.property(), key.environmentVariable());
  }

  /**
   * Parses the key's value, if set, and hands it to the builder; a builder's refusal (a number out
   * of range) gets the value's origin added.
   */
  private <T> void set(Key key, BiFunction<String, String, T> parse, Consumer<T> setter) {
    Settings.Value v = find(key);
    if (v == null) {
      return;
    }
    T parsed = parse.apply(Settings.describe(key.property(), v), v.text());
    withOrigin(v, () -> {
      setter.accept(parsed);
      return parsed;
    });
  }

  private static <T> T withOrigin(Settings.Value v, Supplier<T> make) {
    try {
      return make.get();
    } catch (ConfigurationException e) {
      throw new ConfigurationException(e.getMessage() + " (from " + v.origin() + ")", e);
    }
  }

  private static ConfigurationException missing(Key set, Settings.Value value, Key absent) {
    return new ConfigurationException(Settings.describe(set.property(), value) + " is set but "
        + absent.property() + " (" + absent.environmentVariable() + ") is missing");
  }

  private static @Nullable String text(Settings.@Nullable Value v) {
    return v == null ? null : v.text();
  }

  private static boolean isVariable(Settings.Value v, String variable) {
    return v.origin().equals("environment variable " + variable);
  }
}
