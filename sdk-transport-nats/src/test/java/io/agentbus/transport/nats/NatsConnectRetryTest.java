package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentbus.TransportException;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code agentbus.nats.connect-retry}: the first connect waits for a server that starts later;
 * without it, an unreachable server fails at once with a retriable error that says how to wait.
 */
class NatsConnectRetryTest {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  void theFirstConnectWaitsForAServerThatStartsLater() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    server.stop();
    NatsTransportConfig config = NatsTransportConfig.fromEnvironment(java.util.Map.of(
        "AGENTBUS_NATS_URL", server.url(),
        "AGENTBUS_NATS_CONNECT_RETRY", "60s",
        "AGENTBUS_NATS_RECONNECT_WAIT", "100ms",
        "AGENTBUS_NATS_CONNECT_TIMEOUT", "1s"), new java.util.Properties());
    assertThat(config.connectRetry()).isEqualTo(Duration.ofSeconds(60));
    CompletableFuture<NatsTransport> connecting =
        CompletableFuture.supplyAsync(() -> NatsTransport.connect(config));
    // the connect is still trying while the server is down (it has not failed)
    assertThat(connecting.isDone()).isFalse();
    server.start();
    try (NatsTransport t = connecting.get(60, TimeUnit.SECONDS)) {
      assertThat(t.isConnected()).isTrue();
    }
  }

  @Test
  void withoutConnectRetryAnUnreachableServerFailsAtOnceRetriablyAndSaysHowToWait()
      throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    server.stop();
    TransportException e = catchThrowableOfType(TransportException.class,
        () -> NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
            .connectTimeout(Duration.ofSeconds(1)).build()));
    assertThat(e).isNotNull();
    assertThat(e.isRetriable()).isTrue();
    assertThat(e.getMessage()).contains("Is the server running and reachable?")
        .contains("agentbus.nats.connect-retry");
  }
}
