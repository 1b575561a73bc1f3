package io.agentbus.agent.config;

import io.agentbus.ConfigurationException;
import io.agentbus.HistoryOptions;
import io.agentbus.InvalidSubjectException;
import io.agentbus.MessageBus;
import io.agentbus.QueueOptions;
import io.agentbus.Subjects;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.config.ConfigValues;
import io.agentbus.config.Settings;
import io.agentbus.spi.Codec;
import io.agentbus.spi.CodecProvider;
import io.agentbus.spi.BusExtensionProvider;
import io.agentbus.spi.Providers;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AgentBus settings, read once and validated, and the one place that turns them into a {@link
 * MessageBus}, {@link AgentContext}, {@link AgentHost} and {@link OrchestratorMonitor}: which
 * transport and codec (by the names their providers register, found with {@link Providers}), the
 * subject namespace, heartbeat, dead-agent and drain timings, durable queues ({@link QueueKey})
 * and kept histories ({@link HistoryKey}). The general keys are listed, with their environment
 * variables and defaults, in {@link ConfigKey}.
 *
 * <p>Sources, lowest precedence first, as layers of a {@link Settings} ({@link #settings()}, which
 * transports and codecs are created from, so they see the same sources):
 *
 * <ol>
 *   <li>the built-in defaults;
 *   <li>application defaults ({@link Loader#defaults});
 *   <li>an {@code agentbus.properties} resource on the classpath;
 *   <li>a properties file named by {@code agentbus.config.file} / {@code AGENTBUS_CONFIG_FILE} (or
 *       {@link Loader#file});
 *   <li>environment variables ({@code AGENTBUS_TRANSPORT=nats}; see {@link ConfigKey#envVar()});
 *   <li>system properties ({@code -Dagentbus.transport=nats}).
 * </ol>
 *
 * A blank value counts as unset. Every value is read with {@link ConfigValues}: durations are
 * written {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or in ISO-8601 ({@code PT30S}).
 *
 * <p>An invalid value fails {@link #load()} with a {@link ConfigurationException} that names the
 * key, the value, where it came from, and the valid values; so does a transport or codec whose
 * module is not on the classpath, naming the dependency to add. Unknown {@code agentbus.*} keys
 * (likely typos) are logged at warn, except under {@code agentbus.queue.}, {@code
 * agentbus.queues.} and {@code agentbus.history.}, where they fail; a provider's own {@code
 * agentbus.<name>.*} keys are left to it.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentBusConfig {
  private static final Logger log = LoggerFactory.getLogger(AgentBusConfig.class);

  /** The classpath resource read by default. */
  public static final String DEFAULT_RESOURCE = "agentbus.properties";

  private static final String PREFIX = "agentbus.";
  private static final String BUILT_IN = "built-in default";

  private final Settings settings;
  private final String transport;
  private final String codec;
  private final TransportProvider transportProvider;
  private final CodecProvider codecProvider;
  private final Map<String, CodecProvider> codecProviders;
  private final String namespace;
  private final Duration heartbeatInterval;
  private final Duration deadAfter;
  private final Duration requestTimeout;
  private final Duration drainTimeout;
  private final boolean shutdownHook;
  private final boolean discovery;
  private final DuplicateIdPolicy duplicateIds;
  private final int monitorMaxAgents;
  private final Duration monitorRetention;
  private final Durability durability;
  private final List<BusExtensionProvider> extensions;

  private AgentBusConfig(Settings settings) {
    this.settings = settings;
    Map<String, TransportProvider> transports = Providers.transports();
    this.codecProviders = Providers.codecs();
    this.transport = require(ConfigKey.TRANSPORT).text().toLowerCase(java.util.Locale.ROOT);
    this.transportProvider = provider(ConfigKey.TRANSPORT, Providers::transport);
    this.codec = require(ConfigKey.CODEC).text().toLowerCase(java.util.Locale.ROOT);
    this.codecProvider = provider(ConfigKey.CODEC, Providers::codec);
    this.namespace = parseNamespace();
    this.heartbeatInterval = duration(ConfigKey.HEARTBEAT_INTERVAL);
    this.deadAfter = duration(ConfigKey.DEAD_AFTER);
    this.requestTimeout = duration(ConfigKey.REQUEST_TIMEOUT);
    this.drainTimeout = duration(ConfigKey.DRAIN_TIMEOUT);
    Settings.Value hook = require(ConfigKey.SHUTDOWN_HOOK);
    this.shutdownHook = ConfigValues.bool(describe(ConfigKey.SHUTDOWN_HOOK, hook), hook.text());
    Settings.Value disc = require(ConfigKey.DISCOVERY);
    this.discovery = ConfigValues.bool(describe(ConfigKey.DISCOVERY, disc), disc.text());
    this.duplicateIds = parseDuplicateIds();
    Settings.Value max = require(ConfigKey.MONITOR_MAX_AGENTS);
    this.monitorMaxAgents = ConfigValues.integerAtLeast(describe(ConfigKey.MONITOR_MAX_AGENTS,
        max), max.text(), 1);
    this.monitorRetention = duration(ConfigKey.MONITOR_RETENTION);
    if (deadAfter.compareTo(heartbeatInterval) <= 0) {
      throw new ConfigurationException(ConfigKey.DEAD_AFTER.key() + " (" + deadAfter
          + ", from " + sourceOf(ConfigKey.DEAD_AFTER) + ") must be longer than "
          + ConfigKey.HEARTBEAT_INTERVAL.key() + " (" + heartbeatInterval + ", from "
          + sourceOf(ConfigKey.HEARTBEAT_INTERVAL)
          + "), or every agent would be taken for dead between two heartbeats");
    }
    this.durability = Durability.read(settings);
    this.extensions = Stream.of(extension(ConfigKey.TRACING), extension(ConfigKey.METRICS))
        .flatMap(Optional::stream).toList();
    warnAboutUnknownKeys(transports);
    EnvironmentWarnings.warn(log, settings, transport, sourceOf(ConfigKey.TRANSPORT),
        transports.keySet(), codecProviders.keySet());
  }

  // ------------------------------------------------------------------ factories

  /**
   * Reads the system properties, the environment, the file named by {@code agentbus.config.file}
   * if any, and the {@code agentbus.properties} classpath resource if present.
   *
   * @throws ConfigurationException if a value is unknown or invalid, a named file is unreadable,
   *     or the transport or codec it names is not on the classpath
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
   * @throws ConfigurationException as {@link #load()}
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

  /** The name of the transport, as its provider registers it: {@code inmemory}, {@code nats}. */
  public String transport() {
    return transport;
  }

  /** The name of the codec messages are published with: {@code json}, {@code protobuf}. */
  public String codec() {
    return codec;
  }

  /** The subject namespace, e.g. {@code orchestrator}. */
  public String namespace() {
    return namespace;
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

  /**
   * How long a stopping agent, or monitor, waits for its in-flight handlers; see {@link
   * ConfigKey#DRAIN_TIMEOUT} for how the host and the transport relate to it.
   */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** Whether agents answer discovery and check their id is not taken. */
  public boolean discovery() {
    return discovery;
  }

  /** What an agent does when a live agent already has its id. */
  public DuplicateIdPolicy duplicateIds() {
    return duplicateIds;
  }

  /** Whether JVM shutdown hooks stop agents and close the bus. */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  /**
   * The options of work queue {@code queueName}: its {@code agentbus.queue.<name>.*} keys over
   * {@code agentbus.queues.default.*}; {@link QueueOptions#atMostOnce()} when nothing makes it
   * durable.
   */
  public QueueOptions queueOptions(String queueName) {
    return durability.queues().getOrDefault(queueName, durability.defaultQueue());
  }

  /** The options of the queues no {@code agentbus.queue.<name>.*} key names. */
  public QueueOptions defaultQueueOptions() {
    return durability.defaultQueue();
  }

  /** The queues {@code agentbus.queue.<name>.*} keys configure, by name. Unmodifiable. */
  public Map<String, QueueOptions> queues() {
    return durability.queues();
  }

  /** How broadcasts are kept for replay ({@code agentbus.history.broadcasts.*}); empty: not. */
  public Optional<HistoryOptions> broadcastHistory() {
    return Optional.ofNullable(durability.broadcasts());
  }

  /**
   * How dead letters are kept ({@code agentbus.history.dead-letters.*}); empty: as the bus
   * decides (7 days when a queue is durable, else not at all).
   */
  public Optional<HistoryOptions> deadLetterHistory() {
    return Optional.ofNullable(durability.deadLetters());
  }

  /**
   * Every source, as layers, for transports and codecs to read their own keys from ({@code
   * agentbus.nats.*}, {@code AGENTBUS_NATS_*}) with the same precedence.
   */
  public Settings settings() {
    return settings;
  }

  /**
   * Every {@code agentbus.*} property after applying the sources' precedence, defaults included,
   * sorted by key. Unmodifiable.
   */
  public Map<String, String> properties() {
    return properties(PREFIX);
  }

  /** The properties whose keys start with {@code prefix} (e.g. {@code agentbus.nats.}). */
  public Map<String, String> properties(String prefix) {
    Map<String, String> out = new TreeMap<>();
    for (String key : settings.propertyNames(prefix)) {
      Settings.Value v = settings.find(key, ConfigKey.forKey(key).map(ConfigKey::envVar)
          .orElse(null));
      if (v != null) {
        out.put(key, v.text());
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /** The value of a key, or null when no source set it and it has no default. */
  public @Nullable String get(String key) {
    Settings.Value v = settings.find(key, ConfigKey.forKey(key).map(ConfigKey::envVar)
        .orElse(null));
    return v == null ? null : v.text();
  }

  /** Where the value of {@code key} came from, e.g. {@code environment variable NATS_URL}. */
  public String sourceOf(ConfigKey key) {
    Settings.Value v = settings.find(key.key(), key.envVar());
    return v == null ? BUILT_IN : v.origin();
  }

  /** Where the value of {@code key} came from; {@code built-in default} if no source set it. */
  public String sourceOf(String key) {
    Optional<ConfigKey> k = ConfigKey.forKey(key);
    if (k.isPresent()) {
      return sourceOf(k.get());
    }
    Settings.Value v = settings.find(key);
    return v == null ? BUILT_IN : v.origin();
  }

  // ------------------------------------------------------------------ building

  /** The names of the tracing and metrics extensions this configuration turns on, maybe none. */
  public List<String> extensions() {
    return extensions.stream().map(p -> p.kind() + "=" + p.name()).toList();
  }

  /**
   * Creates the configured transport with its provider, from {@link #settings()}. The caller
   * owns it (a {@link MessageBus} built on it closes it).
   *
   * @throws ConfigurationException if one of the transport's own settings is invalid
   * @throws io.agentbus.TransportException if it cannot connect
   */
  public Transport newTransport() {
    return transportProvider.create(settings);
  }

  /** Creates the configured codec with its provider, from {@link #settings()}. */
  public Codec newCodec() {
    return codecProvider.create(settings);
  }

  /**
   * A {@link MessageBus} builder set up from this configuration on {@code transport}, publishing
   * with {@code codec}: the namespace, the default request timeout, the queues and histories, and
   * every other codec on the classpath as an additional codec, so that what any agent sends is
   * understood (the seed's header-less JSON, Java agents configured with another codec), and the
   * tracing and metrics extensions {@code agentbus.tracing} and {@code agentbus.metrics} turn on. The
   * caller may add a scheduler or interceptors before building.
   */
  public MessageBus.Builder messageBusBuilder(Transport transport, Codec codec) {
    MessageBus.Builder b = MessageBus.builder()
        .transport(transport)
        .codec(codec)
        .namespace(namespace)
        .defaultRequestTimeout(requestTimeout)
        .defaultQueueOptions(durability.defaultQueue());
    for (CodecProvider p : codecProviders.values()) {
      Codec other = p == codecProvider ? codec : p.create(settings);
      if (!other.contentType().equals(codec.contentType())) {
        b.additionalCodecs(other);
      }
    }
    durability.queues().forEach(b::queue);
    broadcastHistory().ifPresent(b::keepBroadcasts);
    deadLetterHistory().ifPresent(b::keepDeadLetters);
    for (BusExtensionProvider p : extensions) {
      b.addExtension(p.create(settings));
    }
    return b;
  }

  /**
   * The message bus this configuration describes, on a new transport and codec ({@link
   * #newTransport()}, {@link #newCodec()}, {@link #messageBusBuilder}). The caller owns it;
   * closing it closes the transport.
   *
   * @throws ConfigurationException if a setting is invalid, or a durable queue or history needs
   *     streams the transport lacks (the transport is closed again)
   * @throws io.agentbus.TransportException if the transport cannot connect
   */
  public MessageBus newMessageBus() {
    Transport t = newTransport();
    try {
      return messageBusBuilder(t, newCodec()).build();
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  /**
   * An {@link AgentContext} builder with the heartbeat interval and drain timeout, and no
   * per-agent shutdown hook: the {@link #newAgentHost host}'s hook stops the agents in order.
   */
  public AgentContext.Builder agentContextBuilder(MessageBus bus) {
    return AgentContext.builder(bus)
        .heartbeatInterval(heartbeatInterval)
        .drainTimeout(drainTimeout)
        .shutdownHook(false)
        .discovery(discovery)
        .duplicateIds(duplicateIds);
  }

  /**
   * A host owning {@code bus}. It waits up to three drain timeouts for each agent to stop (an
   * agent waits up to one for its handlers, then up to one for its work loop), then up to that
   * long for the bus to drain; with {@code agentbus.shutdown-hook} on, it closes at JVM exit.
   */
  public AgentHost newAgentHost(MessageBus bus) {
    return AgentHost.create(bus, drainTimeout.multipliedBy(3), shutdownHook);
  }

  /**
   * An orchestrator monitor builder with the dead-after time, drain timeout, registry bound and
   * retention.
   */
  public OrchestratorMonitor.Builder monitorBuilder(MessageBus bus) {
    return OrchestratorMonitor.builder(bus).deadAfter(deadAfter).drainTimeout(drainTimeout)
        .maxAgents(monitorMaxAgents).retention(monitorRetention);
  }

  @Override
  public String toString() {
    return "AgentBusConfig{transport=" + transport + ", codec=" + codec + ", namespace="
        + namespace + ", heartbeatInterval=" + heartbeatInterval + ", deadAfter=" + deadAfter
        + ", requestTimeout=" + requestTimeout + ", drainTimeout=" + drainTimeout
        + ", shutdownHook=" + shutdownHook + ", discovery=" + discovery + ", duplicateIds="
        + duplicateIds + ", defaultQueue=" + durability.defaultQueue()
        + ", queues=" + new TreeMap<>(durability.queues()) + ", extensions=" + extensions()
        + "}";
  }

  // ------------------------------------------------------------------ parsing

  private Settings.Value require(ConfigKey key) {
    Settings.Value v = settings.find(key.key(), key.envVar());
    if (v == null) {
      throw new ConfigurationException("No value for " + key.key() + " (environment variable "
          + key.envVar() + "): " + key.description());
    }
    return v;
  }

  private static String describe(ConfigKey key, Settings.Value v) {
    return Settings.describe(key.key(), v);
  }

  private <P> P provider(ConfigKey key, Function<String, P> find) {
    Settings.Value v = require(key);
    try {
      return find.apply(v.text());
    } catch (ConfigurationException e) {
      throw new ConfigurationException("Invalid value '" + v.text() + "' for "
          + describe(key, v) + ": " + e.getMessage(), e);
    }
  }

  private String parseNamespace() {
    Settings.Value v = require(ConfigKey.NAMESPACE);
    try {
      return Subjects.of(v.text()).namespace();
    } catch (InvalidSubjectException e) {
      throw new ConfigurationException("Invalid value '" + v.text() + "' for "
          + describe(ConfigKey.NAMESPACE, v) + ": one or more dot-separated subject tokens are "
          + "expected, like 'orchestrator' or 'acme.prod' (" + e.getMessage() + ")", e);
    }
  }

  /** The extension {@code key} selects by name, or none for {@code none}. */
  private Optional<BusExtensionProvider> extension(ConfigKey key) {
    Settings.Value v = require(key);
    if (v.text().trim().equalsIgnoreCase("none")) {
      return Optional.empty();
    }
    String kind = key.key().substring(PREFIX.length());
    return Optional.of(provider(key, name -> Providers.extension(kind, name)));
  }

  private DuplicateIdPolicy parseDuplicateIds() {
    Settings.Value v = require(ConfigKey.DUPLICATE_IDS);
    try {
      return DuplicateIdPolicy.parse(v.text());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("Invalid value '" + v.text() + "' for "
          + describe(ConfigKey.DUPLICATE_IDS, v) + ": " + e.getMessage(), e);
    }
  }

  private Duration duration(ConfigKey key) {
    Settings.Value v = require(key);
    return ConfigValues.positiveDuration(describe(key, v), v.text());
  }

  private void warnAboutUnknownKeys(Map<String, TransportProvider> transports) {
    for (String key : settings.propertyNames(PREFIX)) {
      if (ConfigKey.forKey(key).isPresent() || key.startsWith(QueueKey.QUEUE_PREFIX)
          || key.startsWith(Durability.QUEUES_PREFIX) || key.startsWith(Durability.HISTORY_PREFIX)
          || key.startsWith("agentbus.nats.")
          || transports.keySet().stream().anyMatch(n -> key.startsWith(PREFIX + n + "."))
          || codecProviders.keySet().stream().anyMatch(n -> key.startsWith(PREFIX + n + "."))) {
        continue;
      }
      log.warn("Unknown setting '{}' (from {}) is ignored; known settings: {}", key,
          sourceOf(key), Arrays.stream(ConfigKey.values())
              .map(ConfigKey::key).collect(Collectors.joining(", ")));
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
     * @throws ConfigurationException as {@link AgentBusConfig#load()}
     */
    public AgentBusConfig load() {
      Map<String, String> sysprops = agentbusKeys(systemProperties != null ? systemProperties
          : systemPropertiesSnapshot());
      Map<String, String> env = environment != null ? environment : System.getenv();

      Map<String, String> builtIn = new HashMap<>();
      for (ConfigKey k : ConfigKey.values()) {
        k.defaultValue().ifPresent(v -> builtIn.put(k.key(), v));
      }
      Settings.Builder layers = Settings.builder()
          .properties(BUILT_IN, builtIn)
          .properties("application defaults", defaults);
      if (classpathResource != null) {
        readResource(classpathResource, layers);
      }
      Path path = file;
      if (path == null) {
        String named = Settings.builder().environment(env)
            .properties("system properties", sysprops).build()
            .string(ConfigKey.CONFIG_FILE.key(), ConfigKey.CONFIG_FILE.envVar(), "");
        if (!named.isEmpty()) {
          path = Path.of(named);
        }
      }
      if (path != null) {
        layers.properties("file " + path, readFile(path));
      }
      return new AgentBusConfig(layers.environment(env)
          .properties("system properties", sysprops).build());
    }

    private void readResource(String name, Settings.Builder layers) {
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
      layers.properties("classpath resource " + name, toMap(p));
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

    private static Map<String, String> agentbusKeys(Map<String, String> properties) {
      Map<String, String> m = new HashMap<>();
      properties.forEach((k, v) -> {
        if (k.startsWith(PREFIX)) {
          m.put(k, v);
        }
      });
      return m;
    }

    private static Map<String, String> systemPropertiesSnapshot() {
      Map<String, String> m = new HashMap<>();
      Properties p = System.getProperties();
      for (String name : p.stringPropertyNames()) {
        m.put(name, p.getProperty(name));
      }
      return m;
    }
  }
}
