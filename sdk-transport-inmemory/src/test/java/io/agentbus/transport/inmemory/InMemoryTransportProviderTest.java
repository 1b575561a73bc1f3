package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.config.Settings;
import io.agentbus.spi.Providers;
import io.agentbus.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryTransportProviderTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] PING = "ping".getBytes(StandardCharsets.UTF_8);

  @Test
  void configurationFindsItByName() {
    assertThat(Providers.transport("inmemory")).isInstanceOf(InMemoryTransportProvider.class);
    assertThat(Providers.transport(" InMemory ")).isInstanceOf(InMemoryTransportProvider.class);
    assertThat(Providers.transports()).containsOnlyKeys("inmemory");
  }

  @Test
  void eachTransportAnswersItselfOnItsOwnPrivateServer() throws Exception {
    try (Transport a = Providers.transport("inmemory").create(Settings.empty());
        Transport b = Providers.transport("inmemory").create(Settings.empty())) {
      assertThat(a).isInstanceOf(InMemoryTransport.class);
      assertThat(a.durableStreams()).isPresent();
      a.subscribe("svc.echo", null, m -> a.publish(m.replyTo(), null, Headers.empty(),
          m.payload()));

      assertThat(a.requestAndWait("svc.echo", Headers.empty(), PING, WAIT).payload())
          .isEqualTo(PING);
      // b is on another server: nobody there serves svc.echo
      assertThatThrownBy(() -> b.requestAndWait("svc.echo", Headers.empty(), PING, WAIT))
          .isInstanceOf(NoRespondersException.class);
    }
  }

  @Test
  void aTransportThisModuleLacksIsReportedWithWhatWasFound() {
    assertThatThrownBy(() -> Providers.transport("nats"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("found [inmemory]")
        .hasMessageContaining("io.agentbus:sdk-transport-nats");
  }
}
