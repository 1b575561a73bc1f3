package io.agentbus.agent.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.agentbus.ConfigurationException;
import io.agentbus.MessageBus;
import io.agentbus.TransportException;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NATS module's wiring, without a server. */
class NatsTransportModuleTest {

  @Test
  void bindingConnectsNothingAndAnUnreachableServerFailsOnFirstUseNamingIt() {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", "nats://127.0.0.1:1",
        "agentbus.nats.connect-timeout", "1s"));
    Injector injector = Guice.createInjector(new AgentBusModule(config));

    assertThatThrownBy(() -> injector.getInstance(MessageBus.class))
        .isInstanceOf(ProvisionException.class)
        .cause()
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  @Test
  void natsSettingsKeepTheUsualPrecedence(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("agentbus.properties");
    Files.writeString(file, "agentbus.nats.max-reconnects=5\n"
        + "agentbus.nats.reconnect-wait=7s\n"
        + "agentbus.nats.ping-interval=9s\n");
    AgentBusConfig config = AgentBusConfig.loader()
        .classpathResource(null)
        .file(file)
        .environment(Map.of(
            "AGENTBUS_NATS_MAX_RECONNECTS", "3",
            "AGENTBUS_NATS_RECONNECT_WAIT", "4s",
            "NATS_URL", "nats://10.1.2.3:4222"))
        .systemProperties(Map.of("agentbus.nats.reconnect-wait", "1s"))
        .load();

    NatsTransportConfig nats = NatsTransportModule.natsConfig(config);

    assertThat(nats.maxReconnects()).as("environment over file").isEqualTo(3);
    assertThat(nats.reconnectWait()).as("system property over environment")
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(nats.pingInterval()).as("file over default").isEqualTo(Duration.ofSeconds(9));
    assertThat(nats.servers()).containsExactly("nats://10.1.2.3:4222");
  }

  @Test
  void aMisspeltNatsSettingFailsAtStartupNamingIt() {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.max-reconects", "3"));
    assertThatThrownBy(() -> NatsTransportModule.natsConfig(config))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.max-reconects");
  }
}
