package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.Tasks;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.guice.AgentApplication;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same agent, wired by {@link Main}, on a real NATS server: only the configuration differs from
 * the in-memory tests. The server is {@code NATS_URL} when set, else a {@code nats-server} from the
 * PATH started on a free port, else a Docker container; with none of them the test is skipped
 * (under {@code CI=true} it fails instead). It is skipped too when the project no longer depends
 * on the NATS transport.
 */
@ExtendWith(NatsServerExtension.class)
class ${agentClassName}NatsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void answersAndReportsOverNats(NatsServer server) throws Exception {
    AgentBusConfig nats = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", server.url(),
        "agentbus.shutdown-hook", "false"));

    // the agent in one "process", a peer with its own connection in another
    try (AgentHost agentProcess =
            AgentApplication.start(AgentApplication.injector(nats), ${agentClassName}.class);
        AgentHost peer = AgentApplication.injector(nats).getInstance(AgentHost.class)) {
      AgentMessage reply = peer.bus().endpoint("parser-dev-001").request(${agentClassName}.ID,
          MessageType.RESOURCE_REQUEST, Map.of("resource", ${agentClassName}.RESOURCE), WAIT);
      assertThat(reply.fromAgent()).isEqualTo(${agentClassName}.ID);
      assertThat(reply.content()).containsEntry("status", "ready");

      // a task through the task API: one step (a second of real time here), then complete
      try (Tasks orchestrator = Tasks.builder(peer.bus(), "orchestrator-001").build().listen()) {
        peer.bus().flush(WAIT);
        TaskOutcome outcome = orchestrator.assign(${agentClassName}.ID,
                Map.of("task", "invoice-2025-12", "steps", 1))
            .outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(outcome.isCompleted()).as("%s", outcome).isTrue();
        assertThat(outcome.result()).containsEntry("task", "invoice-2025-12");
      }
    }
  }
}
