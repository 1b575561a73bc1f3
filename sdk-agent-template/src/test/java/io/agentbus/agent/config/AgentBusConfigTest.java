package io.agentbus.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.agentbus.ConfigurationException;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentBusConfigTest {

  private static AgentBusConfig.Loader isolated() {
    return AgentBusConfig.loader().systemProperties(Map.of()).environment(Map.of())
        .classpathResource(null);
  }

  @Test
  void defaultsAreTheSeeds() {
    AgentBusConfig c = isolated().load();
    assertThat(c.transport()).isEqualTo("inmemory");
    assertThat(c.codec()).isEqualTo("json");
    assertThat(c.namespace()).isEqualTo("orchestrator");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.drainTimeout()).isEqualTo(AgentContext.DEFAULT_DRAIN_TIMEOUT);
    assertThat(c.shutdownHook()).isTrue();
    assertThat(c.sourceOf(ConfigKey.TRANSPORT)).isEqualTo("built-in default");
    assertThat(c.defaultQueueOptions().isDurable()).isFalse();
    assertThat(c.queues()).isEmpty();
    assertThat(c.broadcastHistory()).isEmpty();
    assertThat(c.deadLetterHistory()).isEmpty();
  }

  @Test
  void environmentVariablesSetTheirKeys() {
    AgentBusConfig c = isolated().environment(Map.of(
        "AGENTBUS_TRANSPORT", "InMemory",
        "AGENTBUS_CODEC", "JSON",
        "AGENTBUS_NAMESPACE", "acme.prod",
        "AGENTBUS_HEARTBEAT_INTERVAL", "1s",
        "AGENTBUS_DEAD_AFTER", "PT3S")).load();
    assertThat(c.transport()).isEqualTo("inmemory");
    assertThat(c.codec()).isEqualTo("json");
    assertThat(c.namespace()).isEqualTo("acme.prod");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.sourceOf(ConfigKey.NAMESPACE))
        .isEqualTo("environment variable AGENTBUS_NAMESPACE");
  }

  @Test
  void systemPropertiesBeatEnvironmentWhichBeatsFilesWhichBeatDefaults(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("agentbus.properties");
    Files.writeString(file, "agentbus.heartbeat.interval=4s\nagentbus.namespace=from-file\n"
        + "agentbus.monitor.dead-after=20s\nagentbus.request.timeout=9s\n");
    AgentBusConfig c = isolated()
        .defaults(Map.of("agentbus.request.timeout", "7s", "agentbus.drain.timeout", "2s"))
        .file(file)
        .environment(Map.of("AGENTBUS_NAMESPACE", "from-env", "AGENTBUS_DEAD_AFTER", "30s"))
        .systemProperties(Map.of("agentbus.namespace", "from-sysprop"))
        .load();
    assertThat(c.namespace()).isEqualTo("from-sysprop");
    assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.sourceOf(ConfigKey.NAMESPACE)).isEqualTo("system properties");
    assertThat(c.sourceOf(ConfigKey.HEARTBEAT_INTERVAL)).isEqualTo("file " + file);
    assertThat(c.sourceOf(ConfigKey.DRAIN_TIMEOUT)).isEqualTo("application defaults");
  }

  @Test
  void fileNamedByEnvironmentVariableIsRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("custom.properties");
    Files.writeString(file, "agentbus.namespace=named\n");
    AgentBusConfig c = isolated()
        .environment(Map.of("AGENTBUS_CONFIG_FILE", file.toString())).load();
    assertThat(c.namespace()).isEqualTo("named");
  }

  @Test
  void missingNamedFileFailsNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> isolated()
        .systemProperties(Map.of("agentbus.config.file", missing.toString())).load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void classpathResourceIsReadBelowEnvironmentAndProviderKeysPassThrough() {
    AgentBusConfig c = isolated().classpathResource("config/test-agentbus.properties")
        .environment(Map.of("AGENTBUS_NAMESPACE", "env-wins")).load();
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.namespace()).isEqualTo("env-wins");
    assertThat(c.properties("agentbus.nats."))
        .containsExactly(entry("agentbus.nats.max-reconnects", "7"));
    assertThat(c.sourceOf(ConfigKey.HEARTBEAT_INTERVAL))
        .isEqualTo("classpath resource config/test-agentbus.properties");
    assertThat(c.queueOptions("test_execution").isDurable()).isTrue();
  }

  @Test
  void transportsAndCodecsReadTheirOwnKeysFromTheSameLayers(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("agentbus.properties");
    Files.writeString(file, "agentbus.nats.max-reconnects=1\nagentbus.nats.ping-interval=9s\n");
    AgentBusConfig c = isolated().file(file)
        .environment(Map.of("AGENTBUS_NATS_MAX_RECONNECTS", "3", "NATS_URL", "nats://x:4222",
            "AGENTBUS_CODEC", " "))
        .systemProperties(Map.of("agentbus.nats.url", "nats://y:4222"))
        .load();
    Settings s = c.settings();
    assertThat(s.find("agentbus.nats.max-reconnects", "AGENTBUS_NATS_MAX_RECONNECTS"))
        .hasToString("3 (from environment variable AGENTBUS_NATS_MAX_RECONNECTS)");
    assertThat(s.find("agentbus.nats.url", "NATS_URL")).hasToString("nats://y:4222 (from system "
        + "properties)");
    assertThat(s.find("agentbus.nats.ping-interval", "AGENTBUS_NATS_PING_INTERVAL"))
        .hasToString("9s (from file " + file + ")");
    assertThat(c.sourceOf("agentbus.codec")).isEqualTo("built-in default");
  }

  @Test
  void blankValuesCountAsUnset() {
    AgentBusConfig c = isolated()
        .environment(Map.of("AGENTBUS_TRANSPORT", "", "AGENTBUS_CODEC", "  ")).load();
    assertThat(c.transport()).isEqualTo("inmemory");
    assertThat(c.codec()).isEqualTo("json");
  }

  @Test
  void discoveryAndMonitorBoundsAreReadAndChecked() {
    AgentBusConfig c = isolated().environment(Map.of("AGENTBUS_DISCOVERY", "false",
        "AGENTBUS_DUPLICATE_IDS", "WARN", "AGENTBUS_MONITOR_MAX_AGENTS", "50")).load();
    assertThat(c.discovery()).isFalse();
    assertThat(c.duplicateIds()).isEqualTo(DuplicateIdPolicy.WARN);
    assertThat(AgentBusConfig.defaults().duplicateIds()).isEqualTo(DuplicateIdPolicy.REFUSE);
    assertThatThrownBy(() -> isolated().environment(Map.of("AGENTBUS_DUPLICATE_IDS", "ignore"))
        .load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid value 'ignore' for agentbus.duplicate-ids (from "
            + "environment variable AGENTBUS_DUPLICATE_IDS)")
        .hasMessageContaining("valid values: refuse, warn");
    assertThatThrownBy(() -> isolated().environment(Map.of("AGENTBUS_MONITOR_MAX_AGENTS", "0"))
        .load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.monitor.max-agents");
  }

  @Test
  void anUnknownTransportFailsListingTheOnesFound() {
    assertThatThrownBy(() -> isolated().environment(Map.of("AGENTBUS_TRANSPORT", "kafka")).load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid value 'kafka' for agentbus.transport (from environment "
            + "variable AGENTBUS_TRANSPORT): ")
        .hasMessageContaining("found [inmemory]")
        .hasMessageContaining("Add the module that provides it");
  }

  @Test
  void natsWithoutItsModuleFailsNamingTheDependencyToAdd() {
    // this module's tests have only sdk-transport-inmemory and sdk-codec-json on the classpath
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.transport", "nats")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'nats'")
        .hasMessageContaining("agentbus.transport (from system properties)")
        .hasMessageContaining("found [inmemory]")
        .hasMessageContaining("Add the dependency io.agentbus:sdk-transport-nats");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.codec", "protobuf")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("found [json]")
        .hasMessageContaining("Add the dependency io.agentbus:sdk-codec-protobuf");
  }

  @Test
  void invalidDurationsFailNamingKeyValueAndSource() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(
        Map.of("agentbus.heartbeat.interval", "30")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid duration '30' for agentbus.heartbeat.interval (from system "
            + "properties): use a number with a unit (500ms, 2s, 1m, 1h) or ISO-8601 (PT2S)");
    assertThatThrownBy(() -> isolated()
        .environment(Map.of("AGENTBUS_DEAD_AFTER", "0s")).load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'0s'")
        .hasMessageContaining("agentbus.monitor.dead-after (from environment variable "
            + "AGENTBUS_DEAD_AFTER)")
        .hasMessageContaining("must be greater than zero");
  }

  @Test
  void invalidNamespaceAndBooleanFail() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.namespace", "a b")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'a b'")
        .hasMessageContaining("agentbus.namespace");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.shutdown-hook", "yes")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.shutdown-hook")
        .hasMessageContaining("expected true or false");
  }

  @Test
  void deadAfterMustExceedTheHeartbeatInterval() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.heartbeat.interval", "5s", "agentbus.monitor.dead-after", "5s")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.monitor.dead-after")
        .hasMessageContaining("must be longer than agentbus.heartbeat.interval");
  }

  @Test
  void durationsAreReadWithTheOneGrammar() {
    // ConfigValues' units beyond the old s/m/h: microseconds, and ISO-8601 fractions
    AgentBusConfig c = AgentBusConfig.fromProperties(Map.of(
        "agentbus.request.timeout", "1500000us", "agentbus.drain.timeout", "PT1.5S",
        "agentbus.heartbeat.interval", "1d", "agentbus.monitor.dead-after", "2d"));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void everyKeyIsUniqueAndDocumented() {
    Set<String> keys = new HashSet<>();
    Set<String> envs = new HashSet<>();
    for (ConfigKey k : ConfigKey.values()) {
      assertThat(keys.add(k.key())).as("duplicate key %s", k.key()).isTrue();
      assertThat(envs.add(k.envVar())).as("duplicate env var %s", k.envVar()).isTrue();
      assertThat(k.key()).startsWith("agentbus.");
      assertThat(k.description()).isNotBlank();
      assertThat(ConfigKey.forKey(k.key())).contains(k);
    }
    // every key with a default appears in the resolved properties
    AgentBusConfig c = AgentBusConfig.defaults();
    Arrays.stream(ConfigKey.values()).filter(k -> k.defaultValue().isPresent())
        .forEach(k -> assertThat(c.properties()).containsEntry(k.key(), k.defaultValue().get()));
  }
}
