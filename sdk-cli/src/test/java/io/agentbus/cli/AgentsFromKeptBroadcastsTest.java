package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where broadcasts are kept, {@code agents} reads the last heartbeats from the stream instead of
 * waiting for the next ones: with an hour between heartbeats it still answers at once (the
 * timeout fails the test if it listens instead).
 */
class AgentsFromKeptBroadcastsTest {
  @RegisterExtension static final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void agentsAreKnownAtOnceFromTheKeptHeartbeats() throws Exception {
    AgentBusConfig config = CliOnNatsTest.agentsConfig(nats.url(), Map.of(
        "agentbus.history.broadcasts.max-age", "1h",
        // no discovery answer to lean on: only the kept heartbeats can make the listing instant
        "agentbus.discovery", "false"));
    try (AgentHost host = config.newAgentHost(config.newMessageBus())) {
      var context = config.agentContextBuilder(host.bus()).build();
      host.start(Duration.ofSeconds(10), new CliOnNatsTest.Architect(context));
      host.bus().flush(Duration.ofSeconds(5));

      Cli.Result r = new Cli(Map.of("NATS_URL", nats.url(), "AGENTBUS_HEARTBEAT_INTERVAL", "1h",
          "AGENTBUS_DEAD_AFTER", "3h")).run("agents", "--json");

      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.out()).contains("\"agent\":\"architect-001\",\"state\":\"alive\"");
    }
  }
}
