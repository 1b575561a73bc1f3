package io.agentbus.cli;

import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.ConfigurationException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Options every command takes. The connection comes from the SDK's own configuration keys
 * ({@code NATS_URL}, {@code AGENTBUS_NAMESPACE}, auth and TLS keys, {@code agentbus.properties},
 * {@code AGENTBUS_CONFIG_FILE}), so the command connects wherever the agents do; these options
 * override them.
 */
final class CommonOptions {
  @Option(names = {"-s", "--server"}, paramLabel = "URL",
      description = "NATS server URL(s), comma-separated (default: NATS_URL, agentbus.nats.url, "
          + "nats://localhost:4222).")
  @Nullable String server;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Subject namespace of the agents (default: AGENTBUS_NAMESPACE, orchestrator).")
  @Nullable String namespace;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file with agentbus.* keys (as AGENTBUS_CONFIG_FILE).")
  @Nullable Path configFile;

  @Option(names = "--json", description = "Print JSON (one object per line for streams) for scripts.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Log the SDK's messages to stderr.")
  boolean verbose;

  /**
   * The configuration the agents would read from the same environment, with this command's
   * overrides on top; the transport defaults to NATS, since a command line talks to other
   * processes.
   */
  AgentBusConfig config(CliIo io) {
    Map<String, String> overrides = new HashMap<>();
    if (server != null) {
      overrides.put("agentbus.nats.url", server);
    }
    if (namespace != null) {
      overrides.put("agentbus.namespace", namespace);
    }
    Map<String, String> sysprops = new HashMap<>();
    System.getProperties().forEach((k, v) -> {
      if (k instanceof String key && key.startsWith("agentbus.") && v instanceof String value) {
        sysprops.put(key, value);
      }
    });
    sysprops.putAll(overrides);
    AgentBusConfig.Loader loader = AgentBusConfig.loader()
        .environment(io.environment())
        .systemProperties(sysprops)
        .defaults(Map.of("agentbus.transport", "nats", "agentbus.shutdown-hook", "false"));
    if (configFile != null) {
      loader.file(configFile);
    }
    try {
      return loader.load();
    } catch (ConfigurationException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
    }
  }
}
