package io.agentbus.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.agentbus.ConfigurationException;
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
    assertThat(c.transport()).isEqualTo(TransportType.INMEMORY);
    assertThat(c.codec()).isEqualTo(CodecType.JSON);
    assertThat(c.namespace()).isEqualTo("orchestrator");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.shutdownHook()).isTrue();
    assertThat(c.sourceOf(ConfigKey.TRANSPORT)).isEqualTo("built-in default");
  }

  @Test
  void environmentVariablesSetTheirKeys() {
    AgentBusConfig c = isolated().environment(Map.of(
        "AGENTBUS_TRANSPORT", "nats",
        "AGENTBUS_CODEC", "PROTOBUF",
        "AGENTBUS_NAMESPACE", "acme.prod",
        "NATS_URL", "nats://10.0.0.1:4222",
        "AGENTBUS_HEARTBEAT_INTERVAL", "1s",
        "AGENTBUS_DEAD_AFTER", "PT3S")).load();
    assertThat(c.transport()).isEqualTo(TransportType.NATS);
    assertThat(c.codec()).isEqualTo(CodecType.PROTOBUF);
    assertThat(c.namespace()).isEqualTo("acme.prod");
    assertThat(c.natsUrl()).isEqualTo("nats://10.0.0.1:4222");
    assertThat(c.properties()).containsEntry("agentbus.nats.url", "nats://10.0.0.1:4222");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.sourceOf(ConfigKey.NATS_URL)).isEqualTo("environment variable NATS_URL");
  }

  @Test
  void systemPropertiesBeatEnvironmentWhichBeatsFilesWhichBeatDefaults(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("agentbus.properties");
    Files.writeString(file, "agentbus.transport=nats\nagentbus.namespace=from-file\n"
        + "agentbus.codec=protobuf\nagentbus.request.timeout=9s\n");
    AgentBusConfig c = isolated()
        .defaults(Map.of("agentbus.request.timeout", "7s", "agentbus.drain.timeout", "2s"))
        .file(file)
        .environment(Map.of("AGENTBUS_NAMESPACE", "from-env", "AGENTBUS_CODEC", "json"))
        .systemProperties(Map.of("agentbus.namespace", "from-sysprop"))
        .load();
    assertThat(c.namespace()).isEqualTo("from-sysprop");
    assertThat(c.codec()).isEqualTo(CodecType.JSON);
    assertThat(c.transport()).isEqualTo(TransportType.NATS);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.sourceOf(ConfigKey.NAMESPACE)).isEqualTo("system property agentbus.namespace");
    assertThat(c.sourceOf(ConfigKey.TRANSPORT)).isEqualTo("file " + file);
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
  void classpathResourceIsReadBelowEnvironmentAndNatsKeysPassThrough() {
    AgentBusConfig c = isolated().classpathResource("config/test-agentbus.properties")
        .environment(Map.of("AGENTBUS_NAMESPACE", "env-wins")).load();
    assertThat(c.codec()).isEqualTo(CodecType.PROTOBUF);
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.namespace()).isEqualTo("env-wins");
    assertThat(c.properties("agentbus.nats."))
        .containsEntry("agentbus.nats.max-reconnects", "7")
        .containsEntry("agentbus.nats.url", "nats://localhost:4222");
    assertThat(c.sourceOf(ConfigKey.CODEC))
        .isEqualTo("classpath resource config/test-agentbus.properties");
  }

  @Test
  void keepsItsOwnEnvironmentVariablesForComponentsAndRanksSources() {
    AgentBusConfig c = isolated()
        .environment(Map.of("AGENTBUS_NATS_MAX_RECONNECTS", "3", "NATS_URL", "nats://x:4222",
            "HOME", "/root", "AGENTBUS_CODEC", " "))
        .systemProperties(Map.of("agentbus.namespace", "n"))
        .load();
    assertThat(c.environment()).containsOnly(entry("AGENTBUS_NATS_MAX_RECONNECTS", "3"),
        entry("NATS_URL", "nats://x:4222"));
    assertThat(c.sourceKindOf("agentbus.namespace")).isEqualTo(ConfigSource.SYSTEM_PROPERTY);
    assertThat(c.sourceKindOf("agentbus.nats.url")).isEqualTo(ConfigSource.ENVIRONMENT);
    assertThat(c.sourceKindOf("agentbus.codec")).isEqualTo(ConfigSource.BUILT_IN_DEFAULT);
    assertThat(c.sourceOf("agentbus.codec")).isEqualTo("built-in default");
  }

  @Test
  void blankValuesCountAsUnset() {
    AgentBusConfig c = isolated()
        .environment(Map.of("AGENTBUS_TRANSPORT", "", "AGENTBUS_CODEC", "  ")).load();
    assertThat(c.transport()).isEqualTo(TransportType.INMEMORY);
    assertThat(c.codec()).isEqualTo(CodecType.JSON);
  }

  @Test
  void unknownTransportFailsListingTheValidOnes() {
    assertThatThrownBy(() -> isolated().environment(Map.of("AGENTBUS_TRANSPORT", "kafka")).load())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("Invalid value 'kafka' for agentbus.transport (from environment variable "
            + "AGENTBUS_TRANSPORT): valid values are inmemory, nats");
  }

  @Test
  void unknownCodecFailsListingTheValidOnes() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.codec", "xml")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'xml'")
        .hasMessageContaining("agentbus.codec")
        .hasMessageContaining("valid values are json, protobuf");
  }

  @Test
  void invalidDurationsFailNamingKeyAndValue() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(
        Map.of("agentbus.heartbeat.interval", "30")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'30'")
        .hasMessageContaining("agentbus.heartbeat.interval")
        .hasMessageContaining("500ms, 30s, 2m, 1h or PT30S");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(
        Map.of("agentbus.monitor.dead-after", "0s")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("must be positive");
  }

  @Test
  void invalidNamespaceAndBooleanFail() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.namespace", "a b")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'a b'")
        .hasMessageContaining("agentbus.namespace");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of("agentbus.shutdown-hook", "yes")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("valid values are true, false");
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
  void durationsInEveryAcceptedForm() {
    assertThat(AgentBusConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(AgentBusConfig.parseDuration(" 30s ")).isEqualTo(Duration.ofSeconds(30));
    assertThat(AgentBusConfig.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(AgentBusConfig.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(AgentBusConfig.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(AgentBusConfig.parseDuration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> AgentBusConfig.parseDuration("soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'soon'");
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
