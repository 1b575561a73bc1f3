package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.config.CodecType;
import io.agentbus.agent.config.ConfigKey;
import io.agentbus.agent.config.TransportType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Main's wiring: configuration to Guice to a running agent, on the in-memory transport. */
class MainTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void theInjectorRunsTheAgentOnTheConfiguredBusAndTheHostStopsIt() throws Exception {
    // the defaults (in memory, JSON, namespace orchestrator), as Main gets them without any file
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of("agentbus.shutdown-hook", "false"));
    Injector injector = Main.injector(config);

    Agent agent;
    try (AgentHost host = Main.start(injector)) {
      agent = host.agents().get(0);
      assertThat(agent.id()).isEqualTo(${agentClassName}.ID);
      assertThat(agent.state()).isEqualTo(Agent.State.RUNNING);

      AgentMessage reply = host.bus().request("main-test", ${agentClassName}.ID,
          MessageType.RESOURCE_REQUEST, Map.of("resource", ${agentClassName}.RESOURCE), WAIT);
      assertThat(reply.content()).containsEntry("status", "ready");
      assertThat(host.bus().subjects().namespace()).isEqualTo("orchestrator");
    }
    assertThat(agent.state()).isEqualTo(Agent.State.TERMINATED);
  }

  @Test
  void theBundledPropertiesChooseTheInMemoryTransport() {
    AgentBusConfig config = AgentBusConfig.loader()
        .systemProperties(Map.of())
        .environment(Map.of())
        .load();

    assertThat(config.sourceOf(ConfigKey.TRANSPORT)).contains("agentbus.properties");
    assertThat(config.transport()).isEqualTo(TransportType.INMEMORY);
    assertThat(config.codec()).isEqualTo(CodecType.JSON);
  }
}
