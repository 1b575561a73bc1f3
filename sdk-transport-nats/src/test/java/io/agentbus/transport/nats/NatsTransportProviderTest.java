package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.config.Settings;
import io.agentbus.spi.Providers;
import io.agentbus.spi.Transport;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NatsTransportProviderTest {
  @RegisterExtension
  static final NatsServerExtension nats =
      NatsServerExtension.create(NatsServerSpec.builder().jetStream(false).build());

  @Test
  void theServiceLoaderFindsTheNatsProvider() {
    assertThat(Providers.transport("nats")).isInstanceOf(NatsTransportProvider.class);
    assertThat(Providers.transport("NATS").name()).isEqualTo("nats");
    assertThat(Providers.transports()).containsKey("nats");
  }

  @Test
  void itConnectsATransportConfiguredBySettings() {
    Transport t = Providers.transport("nats").create(Settings.of("test", Map.of(
        "agentbus.nats.url", nats.url(), "agentbus.nats.connection-name", "from-provider")));
    try {
      assertThat(t).isInstanceOfSatisfying(NatsTransport.class, n -> {
        assertThat(n.isConnected()).isTrue();
        assertThat(n.config().connectionName()).isEqualTo("from-provider");
      });
    } finally {
      t.close();
    }
  }

  @Test
  void aBadSettingFailsBeforeConnecting() {
    assertThatThrownBy(() -> Providers.transport("nats").create(Settings.of("test",
        Map.of("agentbus.nats.url", nats.url(), "agentbus.nats.ping-intervall", "5s"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.ping-intervall")
        .hasMessageContaining("agentbus.nats.ping-interval");
  }
}
