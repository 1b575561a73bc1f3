package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link NatsConfigLoader} on layered {@link Settings}: precedence, origins, the renamed key. */
class NatsConfigLoaderTest {

  private static Settings layers(Map<String, String> file, Map<String, String> env,
      Map<String, String> system) {
    return Settings.builder().properties("agentbus.properties", file).environment(env)
        .properties("system properties", system).build();
  }

  @Test
  void theServerListFollowsTheLayersAndNatsUrlYieldsToOurVariable() {
    Map<String, String> file = Map.of("agentbus.nats.url", "nats://file:1");
    assertThat(NatsConfigLoader.load(layers(file, Map.of(), Map.of())).servers())
        .containsExactly("nats://file:1");
    assertThat(NatsConfigLoader.load(layers(file, Map.of("NATS_URL", "nats://tools:2"),
        Map.of())).servers()).as("the environment over a file").containsExactly("nats://tools:2");
    assertThat(NatsConfigLoader.load(layers(file, Map.of("NATS_URL", "nats://tools:2",
        "AGENTBUS_NATS_URL", "nats://ours:3"), Map.of())).servers())
        .as("AGENTBUS_NATS_URL over NATS_URL").containsExactly("nats://ours:3");
    assertThat(NatsConfigLoader.load(layers(file, Map.of("NATS_URL", "nats://tools:2"),
        Map.of("agentbus.nats.url", "nats://system:4"))).servers())
        .as("a system property over the environment").containsExactly("nats://system:4");
  }

  @Test
  void errorsNameTheKeyTheValueAndWhereItCameFrom() {
    assertThatThrownBy(() -> NatsConfigLoader.load(layers(
        Map.of("agentbus.nats.reconnect-wait", "later"), Map.of(), Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.reconnect-wait").hasMessageContaining("'later'")
        .hasMessageContaining("agentbus.properties");
    assertThatThrownBy(() -> NatsConfigLoader.load(layers(
        Map.of("agentbus.nats.max-reconnects", "-5"), Map.of(), Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.max-reconnects").hasMessageContaining("-5")
        .hasMessageContaining("agentbus.properties");
    assertThatThrownBy(() -> NatsConfigLoader.load(layers(
        Map.of("agentbus.nats.reconect-wait", "1s"), Map.of(), Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.reconect-wait")
        .hasMessageContaining("agentbus.nats.reconnect-wait");
  }

  @Test
  void theFormerRequestTimeoutKeyIsReadAsTheJetStreamApiTimeout() {
    NatsTransportConfig fromProperty = NatsConfigLoader.load(layers(Map.of(), Map.of(),
        Map.of("agentbus.nats.request-timeout", "7s")));
    assertThat(fromProperty.jetStreamApiTimeout()).isEqualTo(Duration.ofSeconds(7));
    NatsTransportConfig fromVariable = NatsConfigLoader.load(layers(Map.of(),
        Map.of("AGENTBUS_NATS_REQUEST_TIMEOUT", "3s"), Map.of()));
    assertThat(fromVariable.jetStreamApiTimeout()).isEqualTo(Duration.ofSeconds(3));

    assertThatThrownBy(() -> NatsConfigLoader.load(layers(Map.of(),
        Map.of("AGENTBUS_NATS_REQUEST_TIMEOUT", "3s"),
        Map.of("agentbus.nats.jetstream-api-timeout", "4s"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.request-timeout")
        .hasMessageContaining("agentbus.nats.jetstream-api-timeout");
    assertThatThrownBy(() -> NatsConfigLoader.load(layers(Map.of(), Map.of(),
        Map.of("agentbus.nats.request-timeout", "soon"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.request-timeout").hasMessageContaining("'soon'");
  }

  @Test
  void authenticationIsOneTypedChoice() {
    NatsTransportConfig token = NatsConfigLoader.load(Settings.of("test",
        Map.of("agentbus.nats.token", "t0ken")));
    assertThat(token.auth()).isInstanceOf(NatsAuth.Token.class);
    assertThat(token.auth().toString()).doesNotContain("t0ken");
    assertThatThrownBy(() -> NatsConfigLoader.load(Settings.of("test",
        Map.of("agentbus.nats.token", "t", "agentbus.nats.nkey-seed", TestKeys.USER_SEED))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.token").hasMessageContaining("agentbus.nats.nkey-seed")
        .hasMessageNotContaining(TestKeys.USER_SEED);
  }
}
