package io.agentbus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.spi.Providers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The promise that an agent ships only what it uses: this module compiles against sdk-core alone
 * and its tests have only the in-memory transport and the JSON codec, which is enough to run an
 * agent from configuration, without Guice.
 */
class MinimalClasspathTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void theTestClasspathHasOneTransportOneCodecAndNoGuice() {
    assertThat(Providers.transports()).containsOnlyKeys("inmemory");
    assertThat(Providers.codecs()).containsOnlyKeys("json");
    assertThatThrownBy(() -> Class.forName("com.google.inject.Module"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.agentbus.transport.nats.NatsTransport"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void anAgentRunsOnTheBusItsConfigurationDescribes() throws Exception {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.namespace", "acme", "agentbus.shutdown-hook", "false"));
    MessageBus bus = config.newMessageBus();
    Agent agent;
    try (AgentHost host = config.newAgentHost(bus)) {
      agent = new AbstractAgent(config.agentContextBuilder(bus).build()) {
        @Override
        public String id() {
          return "architect-001";
        }

        @Override
        protected void configure(Handlers h) {
          h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
              r -> Map.of("status", "ready"));
        }
      };
      host.start(WAIT, agent);

      AgentMessage reply = bus.endpoint("parser-dev-001").request("architect-001",
          MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
      assertThat(reply.content()).containsEntry("status", "ready");
      assertThat(bus.subjects().namespace()).isEqualTo("acme");
    }
    assertThat(agent.state()).isEqualTo(Agent.State.TERMINATED);
    assertThat(bus.isClosed()).isTrue();
  }
}
