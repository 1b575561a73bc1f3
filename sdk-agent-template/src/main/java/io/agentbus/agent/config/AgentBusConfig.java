package io.agentbus.agent.config;

import io.agentbus.ConfigurationException;
import io.agentbus.InvalidSubjectException;
import io.agentbus.Subjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AgentBus settings, read once and validated: which transport and codec, the subject namespace,
 * the NATS URL, heartbeat and dead-agent timings. Every key is listed, with its environment
 * variable and default, in {@link ConfigKey}.
 *
 * <p>Sources, highest first:
 *
 * <ol>
 *   <li>system properties ({@code -Dagentbus.transport=nats});
 *   <li>environment variables ({@code AGENTBUS_TRANSPORT=nats}, {@code NATS_URL=...}; see {@link
 *       ConfigKey#envVar()});
 *   <li>a properties file named by {@code agentbus.config.file} / {@code AGENTBUS_CONFIG_FILE} (or
 *       {@link Loader#file});
 *   <li>an {@code agentbus.properties} resource on the classpath;
 *   <li>application defaults ({@link Loader#defaults});
 *   <li>the built-in defaults.
 * </ol>
 *
 * A blank value counts as unset. Durations are written {@code 500ms}, {@code 30s}, {@code 2m},
 * {@code 1h} or in ISO-8601 ({@code PT30S}).
 *
 * <p>An unknown or invalid value fails {@link #load()} with a {@link ConfigurationException} that
 * names the key, the value, where it came from, and the valid values. Unknown {@code agentbus.*}
 * keys (likely typos) are logged at warn; {@code agentbus.nats.*} keys are passed through to the
 * NATS transport, which validates them.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentBusConfig {
  private static final Logger log = LoggerFactory.getLogger(AgentBusConfig.class);

  /** The classpath resource read by default. */
  public static final String DEFAULT_RESOURCE = "agentbus.properties";

  private static final String PREFIX = "agentbus.";
  private static final String NATS_PREFIX = "agentbus.nats.";
  private static final String ENV_PREFIX = "AGENTBUS_";
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final Map<String, String> properties;
  private final Map<String, Origin> sources;
  private final Map<String, String> environment;
  private final TransportType transport;
  private final CodecType codec;
  private final String namespace;
  private final String natsUrl;
  private final Duration heartbeatInterval;
  private final Duration deadAfter;
  private final Duration requestTimeout;
  private final Duration drainTimeout;
  private final boolean shutdownHook;

  private AgentBusConfig(Map<String, String> properties, Map<String, Origin> sources,
      Map<String, String> environment) {
    this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    this.sources = Map.copyOf(sources);
    this.environment = Collections.unmodifiableMap(new TreeMap<>(environment));
    this.transport = choice(ConfigKey.TRANSPORT, TransportType.values(),
        TransportType::configName);
    this.codec = choice(ConfigKey.CODEC, CodecType.values(), CodecType::configName);
    this.namespace = parseNamespace();
    this.natsUrl = require(ConfigKey.NATS_URL);
    this.heartbeatInterval = duration(ConfigKey.HEARTBEAT_INTERVAL);
    this.deadAfter = duration(ConfigKey.DEAD_AFTER);
    this.requestTimeout = duration(ConfigKey.REQUEST_TIMEOUT);
    this.drainTimeout = duration(ConfigKey.DRAIN_TIMEOUT);
    this.shutdownHook = bool(ConfigKey.SHUTDOWN_HOOK);
    if (deadAfter.compareTo(heartbeatInterval) <= 0) {
      throw new ConfigurationException(ConfigKey.DEAD_AFTER.key() + " (" + deadAfter
          + ", from " + sourceOf(ConfigKey.DEAD_AFTER) + ") must be longer than "
          + ConfigKey.HEARTBEAT_INTERVAL.key() + " (" + heartbeatInterval + ", from "
          + sourceOf(ConfigKey.HEARTBEAT_INTERVAL)
          + "), or every agent would be taken for dead between two heartbeats");
    }
    warnAboutUnknownKeys();
  }

  // ------------------------------------------------------------------ factories

  /**
   * Reads the system properties, the environment, the file named by {@code agentbus.config.file}
   * if any, and the {@code agentbus.properties} classpath resource if present.
   *
   * @throws ConfigurationException if a value is unknown or invalid, or a named file is unreadable
   */
  public static AgentBusConfig load() {
    return loader().load();
  }

  /** A loader whose sources can be replaced, for tests or applications with their own defaults. */
  public static Loader loader() {
    return new Loader();
  }

  /**
   * Exactly these properties over the built-in defaults; no system property, environment
   * variable or file is read.
   *
   * @throws ConfigurationException if a value is unknown or invalid
   */
  public static AgentBusConfig fromProperties(Map<String, String> properties) {
    return loader().systemProperties(properties).environment(Map.of()).classpathResource(null)
        .load();
  }

  /** The built-in defaults only. */
  public static AgentBusConfig defaults() {
    return fromProperties(Map.of());
  }

  // ------------------------------------------------------------------ values

  public TransportType transport() {
    return transport;
  }

  public CodecType codec() {
    return codec;
  }

  /** The subject namespace, e.g. {@code orchestrator}. */
  public String namespace() {
    return namespace;
  }

  /** The NATS server URL(s), comma-separated; used when the transport is NATS. */
  public String natsUrl() {
    return natsUrl;
  }

  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** How long without a heartbeat before the orchestrator monitor marks an agent dead. */
  public Duration deadAfter() {
    return deadAfter;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** How long stopping waits for in-flight handlers. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** Whether JVM shutdown hooks stop agents and close the bus. */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  /**
   * Every {@code agentbus.*} property after applying the sources' precedence, defaults included,
   * sorted by key; {@code NATS_URL} appears as {@code agentbus.nats.url}. Unmodifiable.
   */
  public Map<String, String> properties() {
    return properties;
  }

  /** The properties whose keys start with {@code prefix} (e.g. {@code agentbus.nats.}). */
  public Map<String, String> properties(String prefix) {
    return properties.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** The raw value of a key, or null when no source set it and it has no default. */
  public @Nullable String get(String key) {
    return properties.get(key);
  }

  /** Where the value of {@code key} came from, e.g. {@code environment variable NATS_URL}. */
  public String sourceOf(ConfigKey key) {
    return sourceOf(key.key());
  }

  /** Where the value of {@code key} came from; {@code built-in default} if no source set it. */
  public String sourceOf(String key) {
    Origin o = sources.get(key);
    return o == null ? "built-in default" : o.description;
  }

  /** The kind of source the value of {@code key} came from. */
  public ConfigSource sourceKindOf(String key) {
    Origin o = sources.get(key);
    return o == null ? ConfigSource.BUILT_IN_DEFAULT : o.kind;
  }

  /**
   * The {@code AGENTBUS_*} environment variables (and {@code NATS_URL}) the configuration was
   * loaded with, set or not to a known key: a component with settings of its own (the NATS
   * transport's {@code AGENTBUS_NATS_*}) reads them here rather than from {@link System#getenv()},
   * so that tests can replace them. Sorted by name, unmodifiable.
   */
  public Map<String, String> environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "AgentBusConfig{transport=" + transport.configName() + ", codec=" + codec.configName()
        + ", namespace=" + namespace + ", natsUrl=" + natsUrl + ", heartbeatInterval="
        + heartbeatInterval + ", deadAfter=" + deadAfter + ", requestTimeout=" + requestTimeout
        + ", drainTimeout=" + drainTimeout + ", shutdownHook=" + shutdownHook + "}";
  }

  // ------------------------------------------------------------------ parsing

  private String require(ConfigKey key) {
    String v = properties.get(key.key());
    if (v == null) {
      throw new ConfigurationException("No value for " + key.key() + " (environment variable "
          + key.envVar() + "): " + key.description());
    }
    return v;
  }

  private <E extends Enum<E>> E choice(ConfigKey key, E[] options,
      Function<E, String> name) {
    String v = require(key);
    String wanted = v.trim().toLowerCase(Locale.ROOT);
    for (E o : options) {
      if (name.apply(o).equals(wanted)) {
        return o;
      }
    }
    throw invalid(key, v, "valid values are "
        + Arrays.stream(options).map(name).collect(Collectors.joining(", ")));
  }

  private String parseNamespace() {
    String v = require(ConfigKey.NAMESPACE).trim();
    try {
      return Subjects.of(v).namespace();
    } catch (InvalidSubjectException e) {
      throw new ConfigurationException("Invalid value '" + v + "' for "
          + ConfigKey.NAMESPACE.key() + " (from " + sourceOf(ConfigKey.NAMESPACE)
          + "): one or more dot-separated subject tokens are expected, like 'orchestrator' or "
          + "'acme.prod' (" + e.getMessage() + ")", e);
    }
  }

  private Duration duration(ConfigKey key) {
    String v = require(key);
    Duration d;
    try {
      d = parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw invalid(key, v, "expected a duration like 500ms, 30s, 2m, 1h or PT30S");
    }
    if (d.isNegative() || d.isZero()) {
      throw invalid(key, v, "the duration must be positive");
    }
    return d;
  }

  private boolean bool(ConfigKey key) {
    String v = require(key).trim().toLowerCase(Locale.ROOT);
    if (v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      return false;
    }
    throw invalid(key, require(key), "valid values are true, false");
  }

  private ConfigurationException invalid(ConfigKey key, String value, String expected) {
    return new ConfigurationException("Invalid value '" + value + "' for " + key.key()
        + " (from " + sourceOf(key) + "): " + expected);
  }

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or an ISO-8601 duration.
   *
   * @throws IllegalArgumentException if {@code text} is neither
   */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (m.matches()) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Number too large in duration '" + text + "'", e);
      }
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("Not a duration: '" + text
          + "' (expected 500ms, 30s, 2m, 1h or ISO-8601 like PT30S)", e);
    }
  }

  private void warnAboutUnknownKeys() {
    for (String key : properties.keySet()) {
      if (ConfigKey.forKey(key).isEmpty() && !key.startsWith(NATS_PREFIX)) {
        log.warn("Unknown setting '{}' (from {}) is ignored; known settings: {}", key,
            sourceOf(key), Arrays.stream(ConfigKey.values())
                .map(ConfigKey::key).collect(Collectors.joining(", ")));
      }
    }
  }

  /**
   * Reads {@link AgentBusConfig} from replaceable sources (see the class documentation for the
   * order). By default: {@link System#getProperties()}, {@link System#getenv()}, the file named by
   * {@code agentbus.config.file}, and the {@code agentbus.properties} classpath resource. Not
   * thread-safe.
   */
  public static final class Loader {
    private @Nullable Map<String, String> systemProperties;
    private @Nullable Map<String, String> environment;
    private @Nullable String classpathResource = DEFAULT_RESOURCE;
    private @Nullable ClassLoader classLoader;
    private @Nullable Path file;
    private Map<String, String> defaults = Map.of();

    private Loader() {}

    /** Replaces the system properties (only {@code agentbus.*} keys are read). */
    public Loader systemProperties(Map<String, String> properties) {
      this.systemProperties = Map.copyOf(properties);
      return this;
    }

    /** Replaces the environment variables. */
    public Loader environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** The classpath resource to read if present; null reads none. Default {@code agentbus.properties}. */
    public Loader classpathResource(@Nullable String resource) {
      this.classpathResource = resource;
      return this;
    }

    /** The class loader to find the resource with; default this class's. */
    public Loader classLoader(ClassLoader loader) {
      this.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * A properties file to read (it must exist), in place of the one {@code agentbus.config.file}
     * names.
     */
    public Loader file(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * The application's own defaults, below every other source and above the built-in defaults
     * (a demo that wants 1 s heartbeats unless told otherwise, say).
     */
    public Loader defaults(Map<String, String> defaults) {
      this.defaults = Map.copyOf(defaults);
      return this;
    }

    /**
     * Reads the sources and validates the result.
     *
     * @throws ConfigurationException if a value is unknown or invalid, or a file is unreadable
     */
    public AgentBusConfig load() {
      Map<String, String> sysprops = systemProperties != null ? systemProperties
          : systemPropertiesSnapshot();
      Map<String, String> env = environment != null ? environment : System.getenv();

      Map<String, String> values = new HashMap<>();
      Map<String, Origin> sources = new HashMap<>();
      for (ConfigKey k : ConfigKey.values()) {
        k.defaultValue().ifPresent(v -> values.put(k.key(), v));
      }
      put(values, sources, defaults,
          new Origin(ConfigSource.APPLICATION_DEFAULT, "application defaults"));
      if (classpathResource != null) {
        readResource(classpathResource, values, sources);
      }
      Path path = file;
      if (path == null) {
        String named = firstNonBlank(sysprops.get(ConfigKey.CONFIG_FILE.key()),
            env.get(ConfigKey.CONFIG_FILE.envVar()));
        if (named != null) {
          path = Path.of(named.trim());
        }
      }
      if (path != null) {
        put(values, sources, readFile(path), new Origin(ConfigSource.FILE, "file " + path));
      }
      for (ConfigKey k : ConfigKey.values()) {
        String v = env.get(k.envVar());
        if (v != null && !v.isBlank()) {
          values.put(k.key(), v.trim());
          sources.put(k.key(),
              new Origin(ConfigSource.ENVIRONMENT, "environment variable " + k.envVar()));
        }
      }
      Map<String, String> ours = new HashMap<>();
      env.forEach((name, v) -> {
        if ((name.startsWith(ENV_PREFIX) || name.equals(ConfigKey.NATS_URL.envVar()))
            && v != null && !v.isBlank()) {
          ours.put(name, v.trim());
        }
      });
      Map<String, String> agentbusSysprops = new HashMap<>();
      sysprops.forEach((k, v) -> {
        if (k.startsWith(PREFIX)) {
          agentbusSysprops.put(k, v);
        }
      });
      for (Map.Entry<String, String> e : agentbusSysprops.entrySet()) {
        if (!e.getValue().isBlank()) {
          values.put(e.getKey(), e.getValue().trim());
          sources.put(e.getKey(),
              new Origin(ConfigSource.SYSTEM_PROPERTY, "system property " + e.getKey()));
        }
      }
      return new AgentBusConfig(values, sources, ours);
    }

    private static void put(Map<String, String> values, Map<String, Origin> sources,
        Map<String, String> from, Origin source) {
      from.forEach((k, v) -> {
        if (v != null && !v.isBlank()) {
          values.put(k, v.trim());
          sources.put(k, source);
        }
      });
    }

    private void readResource(String name, Map<String, String> values,
        Map<String, Origin> sources) {
      ClassLoader cl = classLoader != null ? classLoader : AgentBusConfig.class.getClassLoader();
      URL url = cl == null ? ClassLoader.getSystemResource(name) : cl.getResource(name);
      if (url == null) {
        return;
      }
      Properties p = new Properties();
      try (InputStream in = url.openStream();
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigurationException("Could not read the configuration resource " + url
            + ": " + e.getMessage(), e);
      }
      put(values, sources, toMap(p),
          new Origin(ConfigSource.CLASSPATH_RESOURCE, "classpath resource " + name));
    }

    private static Map<String, String> readFile(Path path) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigurationException("Could not read the configuration file " + path
            + " (named by " + ConfigKey.CONFIG_FILE.key() + " / "
            + ConfigKey.CONFIG_FILE.envVar() + " or the loader): " + e, e);
      }
      return toMap(p);
    }

    private static Map<String, String> toMap(Properties p) {
      Map<String, String> m = new HashMap<>();
      for (String name : p.stringPropertyNames()) {
        m.put(name, p.getProperty(name));
      }
      return m;
    }

    private static Map<String, String> systemPropertiesSnapshot() {
      Map<String, String> m = new HashMap<>();
      Properties p = System.getProperties();
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith(PREFIX)) {
          m.put(name, p.getProperty(name));
        }
      }
      return m;
    }

    private static @Nullable String firstNonBlank(@Nullable String a, @Nullable String b) {
      if (a != null && !a.isBlank()) {
        return a;
      }
      return b != null && !b.isBlank() ? b : null;
    }
  }

  private record Origin(ConfigSource kind, String description) {}
}
