package io.agentbus.agent.discovery;

import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.Subjects;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent as a NATS micro service (ADR-32): answers {@code $SRV.PING}, {@code $SRV.INFO} and
 * {@code $SRV.STATS}, each also with the agent's id ({@code $SRV.INFO.<id>}) and with its id and
 * instance id ({@code $SRV.INFO.<id>.<instance>}), with the JSON of {@code
 * io.nats.micro.v1.ping_response}, {@code info_response} and {@code stats_response}. The service's
 * {@code name} is the agent id, its {@code id} a random instance id, its metadata the agent's
 * teams, handled message types, broadcasts, queues, namespace, codec and SDK version (all strings,
 * lists comma-separated, as the protocol wants string values).
 *
 * <p>The template starts one per agent when discovery is on ({@link
 * io.agentbus.agent.AgentContext#discovery()}); it goes through the bus's {@link Transport}, so it
 * answers on NATS and in memory alike. Thread-safe; {@link #close()} is idempotent.
 */
public final class AgentService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentService.class);

  /** Metadata key: always {@code agentbus}, so directories can tell AgentBus agents apart. */
  public static final String SDK = "sdk";
  /** Metadata key: the AgentBus version the agent runs. */
  public static final String SDK_VERSION = "sdk_version";
  /** Metadata key: the subject namespace ({@code orchestrator} by default). */
  public static final String NAMESPACE = "namespace";
  /** Metadata key: the content type the agent publishes with. */
  public static final String CODEC = "codec";
  /** Metadata key: the agent's teams, comma-separated. */
  public static final String TEAMS = "teams";
  /** Metadata key: the message types it handles when addressed to it, comma-separated. */
  public static final String MESSAGE_TYPES = "message_types";
  /** Metadata key: the broadcast types it listens to, comma-separated. */
  public static final String BROADCASTS = "broadcasts";
  /** Metadata key: the work queues it serves, comma-separated. */
  public static final String QUEUES = "queues";

  static final String SDK_NAME = "agentbus";
  static final String PING_TYPE = "io.nats.micro.v1.ping_response";
  static final String INFO_TYPE = "io.nats.micro.v1.info_response";
  static final String STATS_TYPE = "io.nats.micro.v1.stats_response";
  static final List<String> VERBS = List.of("PING", "INFO", "STATS");

  /**
   * RFC 3339 in UTC with exactly six fraction digits: what nats-py's parser demands ({@code
   * %Y-%m-%dT%H:%M:%S.%fZ}), and what nats.go and jnats read too.
   */
  private static final DateTimeFormatter STARTED_FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final Transport transport;
  private final String name;
  private final String instanceId;
  private final String version;
  private final String description;
  private final Map<String, String> metadata;
  private final List<EndpointStats> endpoints;
  private final Map<String, EndpointStats> byName = new LinkedHashMap<>();
  private final Instant started;
  private final byte[] ping;
  private final byte[] info;
  private final List<TransportSubscription> subscriptions = new ArrayList<>();
  private volatile boolean closed;

  private AgentService(Builder b) {
    this.transport = b.bus.transport();
    this.name = b.name;
    this.instanceId = newInstanceId();
    this.version = b.version;
    this.description = b.description;
    Map<String, String> md = new LinkedHashMap<>();
    md.put(SDK, SDK_NAME);
    md.put(SDK_VERSION, sdkVersion());
    md.put(NAMESPACE, b.bus.subjects().namespace());
    md.put(CODEC, b.bus.codec().contentType());
    md.putAll(b.metadata);
    this.metadata = Map.copyOf(md);
    this.endpoints = List.copyOf(b.endpoints);
    for (EndpointStats e : endpoints) {
      byName.putIfAbsent(e.name, e);
    }
    this.started = b.bus.scheduler().now();
    Map<String, Object> p = identity(PING_TYPE);
    this.ping = MicroJson.write(p);
    Map<String, Object> i = identity(INFO_TYPE);
    i.put("description", description);
    List<Map<String, Object>> infos = new ArrayList<>();
    for (EndpointStats e : endpoints) {
      Map<String, Object> m = e.head();
      m.put("metadata", e.metadata);
      infos.add(m);
    }
    i.put("endpoints", infos);
    this.info = MicroJson.write(i);
  }

  /**
   * A service for the agent {@code agentId} on {@code bus}; {@link Builder#start()} subscribes.
   *
   * @throws io.agentbus.InvalidSubjectException if {@code agentId} is not a subject token
   */
  public static Builder builder(MessageBus bus, String agentId) {
    return new Builder(bus, agentId);
  }

  /** The agent id: the service's {@code name}. */
  public String name() {
    return name;
  }

  /** This instance's id, random, fixed for the life of the service. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Counts one message handled on the endpoint {@code endpointName}: its processing time and, if
   * it failed, the error. Unknown names are ignored.
   */
  public void record(String endpointName, long nanos, @Nullable Throwable error) {
    EndpointStats e = byName.get(endpointName);
    if (e != null) {
      e.record(nanos, error);
    }
  }

  /**
   * Two subscriptions of its own, each for the three verbs ({@code $SRV.*.<id>} and {@code
   * $SRV.*.<id>.<instance>}), and a share of the process's {@link SharedDiscovery} for the verbs
   * without a name: so ten thousand agents make 20,003 subscriptions for discovery, not 90,000.
   */
  private AgentService subscribe() {
    try {
      for (String subject : List.of("$SRV.*." + name, "$SRV.*." + name + "." + instanceId)) {
        subscriptions.add(transport.subscribe(subject, null, this::answerNamed));
      }
      SharedDiscovery.join(transport, this);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** A request to {@code $SRV.<verb>.<id>[.<instance>]}: answered if the verb is one of ours. */
  private void answerNamed(TransportMessage m) {
    String subject = m.subject();
    int from = "$SRV.".length();
    int to = subject.indexOf('.', from);
    String verb = to < 0 ? "" : subject.substring(from, to);
    if (VERBS.contains(verb)) {
      answer(verb, m);
    }
  }

  /** Answers {@code m}, a {@code $SRV.<verb>} request, unless closed or without a reply subject. */
  void answer(String verb, TransportMessage m) {
    String replyTo = m.replyTo();
    if (replyTo == null || closed) {
      return;
    }
    byte[] body = switch (verb) {
      case "PING" -> ping;
      case "INFO" -> info;
      default -> stats();
    };
    try {
      transport.publish(replyTo, null, Headers.empty(), body);
    } catch (RuntimeException e) {
      log.debug("Agent '{}' could not answer $SRV.{} on '{}': {}", name, verb, replyTo,
          e.toString());
    }
  }

  /** The current {@code io.nats.micro.v1.stats_response}. */
  byte[] stats() {
    Map<String, Object> s = identity(STATS_TYPE);
    s.put("started", STARTED_FORMAT.format(started));
    List<Map<String, Object>> list = new ArrayList<>();
    for (EndpointStats e : endpoints) {
      list.add(e.stats());
    }
    s.put("endpoints", list);
    return MicroJson.write(s);
  }

  private Map<String, Object> identity(String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("id", instanceId);
    m.put("version", version);
    m.put("metadata", metadata);
    m.put("type", type);
    return m;
  }

  /** Stops answering. Idempotent. */
  @Override
  public void close() {
    closed = true;
    SharedDiscovery.leave(transport, this);
    synchronized (subscriptions) {
      for (TransportSubscription s : subscriptions) {
        try {
          s.unsubscribe();
        } catch (RuntimeException e) {
          log.debug("Agent '{}': unsubscribing discovery failed: {}", name, e.toString());
        }
      }
      subscriptions.clear();
    }
  }

  @Override
  public String toString() {
    return "AgentService{name=" + name + ", id=" + instanceId + ", endpoints=" + endpoints.size()
        + "}";
  }

  /** The AgentBus version, from the jar (or {@code 0.0.0} when run from classes). */
  public static String sdkVersion() {
    return SdkVersion.VALUE;
  }

  private static String newInstanceId() {
    char[] c = new char[22];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  private static final class SdkVersion {
    static final String VALUE = load();

    private static String load() {
      try (InputStream in = AgentService.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          String v = p.getProperty("version", "");
          if (!v.isEmpty() && !v.startsWith("$")) {
            return v;
          }
        }
      } catch (IOException e) {
        log.debug("Could not read the AgentBus version: {}", e.toString());
      }
      return "0.0.0";
    }
  }

  /** One endpoint and its counters. */
  private static final class EndpointStats {
    final String name;
    final String subject;
    final @Nullable String queueGroup;
    final Map<String, String> metadata;
    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder nanos = new LongAdder();
    volatile String lastError = "";

    EndpointStats(String name, String subject, @Nullable String queueGroup,
        Map<String, String> metadata) {
      this.name = name;
      this.subject = subject;
      this.queueGroup = queueGroup;
      this.metadata = Map.copyOf(metadata);
    }

    void record(long took, @Nullable Throwable error) {
      requests.increment();
      nanos.add(took);
      if (error != null) {
        errors.increment();
        lastError = String.valueOf(error.getMessage() != null ? error.getMessage() : error);
      }
    }

    Map<String, Object> head() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("subject", subject);
      // always present, empty without a queue group, as nats.go writes it (nats-py requires it)
      m.put("queue_group", queueGroup == null ? "" : queueGroup);
      return m;
    }

    Map<String, Object> stats() {
      Map<String, Object> m = head();
      long n = requests.sum();
      long t = nanos.sum();
      m.put("num_requests", n);
      m.put("num_errors", errors.sum());
      m.put("last_error", lastError);
      m.put("processing_time", t);
      m.put("average_processing_time", n == 0 ? 0L : t / n);
      m.put("data", Map.of()); // optional in the schema, but nats-py's parser requires it
      return m;
    }
  }

  /** Builds and starts an {@link AgentService}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private final String name;
    private String version = sdkVersion();
    private String description = "";
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<EndpointStats> endpoints = new ArrayList<>();

    private Builder(MessageBus bus, String agentId) {
      this.bus = Objects.requireNonNull(bus, "bus");
      this.name = Subjects.requireToken("agent id", agentId);
    }

    /** The agent's version; default the SDK's. */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** Adds a metadata entry (the protocol wants string values). */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Declares an endpoint; its stats start at zero. */
    public Builder endpoint(String name, String subject, @Nullable String queueGroup,
        Map<String, String> endpointMetadata) {
      endpoints.add(new EndpointStats(name, subject, queueGroup, endpointMetadata));
      return this;
    }

    /**
     * Subscribes to the {@code $SRV} subjects of its name and instance, joins the process's
     * shared subscriptions to the verbs without a name, and returns the running service.
     *
     * @throws io.agentbus.TransportException if subscribing fails (nothing stays subscribed)
     */
    public AgentService start() {
      return new AgentService(this).subscribe();
    }
  }
}
