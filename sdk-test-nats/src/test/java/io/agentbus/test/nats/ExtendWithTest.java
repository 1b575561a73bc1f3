package io.agentbus.test.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NatsServerExtension.class)
class ExtendWithTest {
  @Test
  void theServerIsInjected(NatsServer server) {
    assertThat(ServerProbe.info(server.host(), server.port(), Duration.ofSeconds(5)))
        .startsWith("INFO {");
  }

  @Test
  void everyTestOfTheClassGetsTheSameServer(NatsServer server) {
    assertThat(server.isRunning()).isTrue();
    assertThat(server.url()).startsWith("nats://");
  }
}
