package io.agentbus.agent.config;

import io.agentbus.agent.AgentContext;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every setting {@link AgentBusConfig} reads: its property key, the environment variable that sets
 * it, its default and what it means. This enum is the one list of keys; documentation is generated
 * from, and checked against, it. Queues and histories have keys of their own ({@link QueueKey},
 * {@link HistoryKey}); a transport or codec reads its own {@code agentbus.<name>.*} keys (the NATS
 * transport's {@code agentbus.nats.*}) from {@link AgentBusConfig#settings()}.
 */
public enum ConfigKey {
  TRANSPORT("agentbus.transport", "AGENTBUS_TRANSPORT", "inmemory",
      "The transport, by the name of its provider: inmemory (one JVM, no server; module "
          + "sdk-transport-inmemory) or nats (module sdk-transport-nats). Its module must be on "
          + "the classpath."),
  CODEC("agentbus.codec", "AGENTBUS_CODEC", "json",
      "The codec messages are published with, by the name of its provider: json (the seed's "
          + "wire format; sdk-codec-json) or protobuf (sdk-codec-protobuf). Every codec on the "
          + "classpath is decoded."),
  NAMESPACE("agentbus.namespace", "AGENTBUS_NAMESPACE", "orchestrator",
      "The first subject token(s): <namespace>.broadcast.<type>, <namespace>.agent.<id>.<type>, ..."),
  HEARTBEAT_INTERVAL("agentbus.heartbeat.interval", "AGENTBUS_HEARTBEAT_INTERVAL",
      text(AgentContext.DEFAULT_HEARTBEAT_INTERVAL),
      "How often each agent broadcasts a heartbeat (30s, 500ms, 2m or ISO-8601 like PT30S)."),
  DEAD_AFTER("agentbus.monitor.dead-after", "AGENTBUS_DEAD_AFTER", "90s",
      "How long the orchestrator monitor waits without a heartbeat before marking an agent dead; "
          + "longer than the heartbeat interval."),
  REQUEST_TIMEOUT("agentbus.request.timeout", "AGENTBUS_REQUEST_TIMEOUT", "5s",
      "Timeout of requests that do not give one."),
  DRAIN_TIMEOUT("agentbus.drain.timeout", "AGENTBUS_DRAIN_TIMEOUT",
      text(AgentContext.DEFAULT_DRAIN_TIMEOUT),
      "How long a stopping agent, or the orchestrator monitor, waits for its in-flight handlers "
          + "(and an agent then for its work loop); the host waits three times as long for each "
          + "agent, then as long for the bus to drain."),
  SHUTDOWN_HOOK("agentbus.shutdown-hook", "AGENTBUS_SHUTDOWN_HOOK", "true",
      "Whether a JVM shutdown hook stops the agents (announcing they go offline) and closes the "
          + "bus: true or false."),
  TRACING("agentbus.tracing", "AGENTBUS_TRACING", "none",
      "Tracing of every message: none, or otel (OpenTelemetry, W3C trace context in message "
          + "headers; module sdk-opentelemetry, exporters configured by the OTEL_* variables)."),
  METRICS("agentbus.metrics", "AGENTBUS_METRICS", "none",
      "Metrics of the bus: none, or micrometer (meters in Micrometer's global registry; module "
          + "sdk-micrometer)."),
  DISCOVERY("agentbus.discovery", "AGENTBUS_DISCOVERY", "true",
      "Whether each agent answers the NATS micro service protocol ($SRV.PING, $SRV.INFO, "
          + "$SRV.STATS) and checks at start that no live agent has its id: true or false."),
  DUPLICATE_IDS("agentbus.duplicate-ids", "AGENTBUS_DUPLICATE_IDS", "refuse",
      "What an agent does when a live agent already answers discovery under its id: refuse "
          + "(its start fails naming the other instance) or warn (an ERROR log, and it starts)."),
  MONITOR_MAX_AGENTS("agentbus.monitor.max-agents", "AGENTBUS_MONITOR_MAX_AGENTS", "10000",
      "How many agents the orchestrator monitor's registry holds; when full of live agents, new "
          + "ones are ignored (counted, logged once a minute)."),
  MONITOR_RETENTION("agentbus.monitor.retention", "AGENTBUS_MONITOR_RETENTION", "1h",
      "How long the orchestrator monitor keeps an agent that left or died before forgetting it."),
  SUPERVISION_MAX_RESTARTS("agentbus.supervision.max-restarts",
      "AGENTBUS_SUPERVISION_MAX_RESTARTS", "3",
      "How many times a supervised agent is restarted within the window before it stays failed "
          + "(0: never restarted)."),
  SUPERVISION_WINDOW("agentbus.supervision.window", "AGENTBUS_SUPERVISION_WINDOW", "60s",
      "The sliding window a supervised agent's restarts are counted in."),
  SUPERVISION_INITIAL_BACKOFF("agentbus.supervision.initial-backoff",
      "AGENTBUS_SUPERVISION_INITIAL_BACKOFF", "1s",
      "The wait before a failed agent's first restart; it doubles with each further restart "
          + "within the window."),
  SUPERVISION_MAX_BACKOFF("agentbus.supervision.max-backoff",
      "AGENTBUS_SUPERVISION_MAX_BACKOFF", "30s",
      "The longest wait before restarting a failed agent."),
  CONFIG_FILE("agentbus.config.file", "AGENTBUS_CONFIG_FILE", null,
      "A properties file to read, ranked below environment variables and above the "
          + "agentbus.properties classpath resource."),
  SECURITY_SIGNING("agentbus.security.signing", "AGENTBUS_SECURITY_SIGNING", "off",
      "Signed messages (Ed25519, with the agent's NKey): off; sign (sign what is sent, accept "
          + "unsigned messages); require (sign, and refuse what is unsigned, untrusted, altered "
          + "or replayed). Replies are checked against their request in every mode."),
  SECURITY_TRUSTED_KEYS("agentbus.security.trusted-keys", "AGENTBUS_SECURITY_TRUSTED_KEYS", null,
      "A file of '<agent id> = <user public NKey>' lines: whom to trust. An empty file trusts "
          + "nobody. Required with signing=require."),
  SECURITY_SEED_FILE("agentbus.security.seed-file", "AGENTBUS_SECURITY_SEED_FILE", null,
      "A file holding the NKey user seed (SU...) this process signs with. Without it, the NATS "
          + "NKey it connects with (agentbus.nats.nkey-seed) is used."),
  SECURITY_REPLAY_WINDOW("agentbus.security.replay-window", "AGENTBUS_SECURITY_REPLAY_WINDOW",
      "2m", "How far a signed message's timestamp may be from now before it counts as "
          + "replayed; nonces are remembered this long."),
  SECURITY_ED25519("agentbus.security.ed25519", "AGENTBUS_SECURITY_ED25519", null,
      "The Ed25519 implementation that signs and verifies: jnats (with sdk-transport-nats, about "
          + "nine times faster) or jdk. By default the fastest on the classpath.");

  private final String key;
  private final String envVar;
  private final @Nullable String defaultValue;
  private final String description;

  ConfigKey(String key, String envVar, @Nullable String defaultValue, String description) {
    this.key = key;
    this.envVar = envVar;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The property key, e.g. {@code agentbus.transport}. */
  public String key() {
    return key;
  }

  /** The environment variable, e.g. {@code AGENTBUS_TRANSPORT}. */
  public String envVar() {
    return envVar;
  }

  /** The value used when no source sets the key; empty when there is none. */
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public String description() {
    return description;
  }

  /** {@code 30s} for 30 seconds: a default as ConfigValues reads it and the docs show it. */
  private static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** The key with this property name. */
  public static Optional<ConfigKey> forKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key.equals(key)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
