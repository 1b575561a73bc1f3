package io.agentbus.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.MessageBus;
import io.agentbus.security.NKeys;
import io.agentbus.security.SigningMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code agentbus.security.*} keys, as written in docs/configuration.md. */
class SigningKeysTest {
  private static final String SEED = NKeys.encodeSeed(new byte[32]);

  @Test
  void offByDefaultAndNoInterceptorAdded() {
    assertThat(AgentBusConfig.fromProperties(Map.of()).signing()).isEmpty();
  }

  @Test
  void signsWithTheNatsSeedWhenNoSeedFileIsGiven() {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "sign", "agentbus.nats.nkey-seed", SEED));
    assertThat(config.signing()).hasValueSatisfying(s -> {
      assertThat(s.mode()).isEqualTo(SigningMode.SIGN);
      assertThat(s.publicKey()).isEqualTo(NKeys.fromSeed(SEED).publicNKey());
    });
  }

  @Test
  void requireReadsTheSeedFileAndTheTrustedKeysAndTheBusCarriesIt(@TempDir Path dir)
      throws Exception {
    Path seed = Files.writeString(dir.resolve("seed"), SEED + "\n");
    Path trusted = Files.writeString(dir.resolve("trusted"), "");
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "REQUIRE",
        "agentbus.security.seed-file", seed.toString(),
        "agentbus.security.trusted-keys", trusted.toString(),
        "agentbus.security.replay-window", "30s"));
    assertThat(config.signing().orElseThrow().mode()).isEqualTo(SigningMode.REQUIRE);
    try (MessageBus bus = config.newMessageBus()) {
      // an empty trusted-keys file trusts nobody: even this bus's own broadcasts are refused
      java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
      bus.subscribe(bus.subjects().deadLetter(), d -> refused.countDown());
      bus.subscribeToBroadcasts(io.agentbus.MessageType.HEARTBEAT, d -> {
        throw new AssertionError("a message from an untrusted signer was delivered");
      });
      bus.endpoint("a").broadcast(io.agentbus.MessageType.HEARTBEAT, Map.of());
      assertThat(refused.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(bus.stats().refused()).isEqualTo(1);
    }
  }

  @Test
  void mistakesStopStartupNamingTheKey() {
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "maybe")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.security.signing").hasMessageContaining("off, sign or require");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "sign")))
        .hasMessageContaining("agentbus.security.seed-file");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "require", "agentbus.nats.nkey-seed", SEED)))
        .hasMessageContaining("agentbus.security.trusted-keys");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "sign", "agentbus.nats.nkey-seed", "SUNOTASEED")))
        .isInstanceOf(ConfigurationException.class).message().doesNotContain("SUNOTASEED");
  }

  @Test
  void ed25519ChoosesTheImplementationByName() {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "sign", "agentbus.nats.nkey-seed", SEED,
        "agentbus.security.ed25519", "JDK"));
    assertThat(config.signing().orElseThrow().ed25519().name()).isEqualTo("jdk");
    assertThatThrownBy(() -> AgentBusConfig.fromProperties(Map.of(
        "agentbus.security.signing", "sign", "agentbus.nats.nkey-seed", SEED,
        "agentbus.security.ed25519", "sodium")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.security.ed25519=sodium").hasMessageContaining("jdk");
  }
}
