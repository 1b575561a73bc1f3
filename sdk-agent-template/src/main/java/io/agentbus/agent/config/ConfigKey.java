package io.agentbus.agent.config;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every setting {@link AgentBusConfig} reads: its property key, the environment variable that sets
 * it, its default and what it means. This enum is the one list of keys; documentation is generated
 * from, and checked against, it. The NATS transport reads further {@code agentbus.nats.*} keys of
 * its own, which {@link AgentBusConfig#properties()} passes through.
 */
public enum ConfigKey {
  TRANSPORT("agentbus.transport", "AGENTBUS_TRANSPORT", "inmemory",
      "The transport: inmemory (one JVM, no server) or nats."),
  CODEC("agentbus.codec", "AGENTBUS_CODEC", "json",
      "The codec messages are published with: json (the seed's wire format) or protobuf. "
          + "JSON is always decoded too."),
  NAMESPACE("agentbus.namespace", "AGENTBUS_NAMESPACE", "orchestrator",
      "The first subject token(s): <namespace>.broadcast.<type>, <namespace>.agent.<id>.<type>, ..."),
  NATS_URL("agentbus.nats.url", "NATS_URL", "nats://localhost:4222",
      "The NATS server(s) to connect to, comma-separated, when the transport is nats."),
  HEARTBEAT_INTERVAL("agentbus.heartbeat.interval", "AGENTBUS_HEARTBEAT_INTERVAL", "30s",
      "How often each agent broadcasts a heartbeat (30s, 500ms, 2m or ISO-8601 like PT30S)."),
  DEAD_AFTER("agentbus.monitor.dead-after", "AGENTBUS_DEAD_AFTER", "90s",
      "How long the orchestrator monitor waits without a heartbeat before marking an agent dead; "
          + "longer than the heartbeat interval."),
  REQUEST_TIMEOUT("agentbus.request.timeout", "AGENTBUS_REQUEST_TIMEOUT", "5s",
      "Timeout of requests that do not give one."),
  DRAIN_TIMEOUT("agentbus.drain.timeout", "AGENTBUS_DRAIN_TIMEOUT", "5s",
      "How long stopping an agent, or the host, waits for in-flight handlers to finish."),
  SHUTDOWN_HOOK("agentbus.shutdown-hook", "AGENTBUS_SHUTDOWN_HOOK", "true",
      "Whether a JVM shutdown hook stops the agents (announcing they go offline) and closes the "
          + "bus: true or false."),
  CONFIG_FILE("agentbus.config.file", "AGENTBUS_CONFIG_FILE", null,
      "A properties file to read, ranked below environment variables and above the "
          + "agentbus.properties classpath resource.");

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
