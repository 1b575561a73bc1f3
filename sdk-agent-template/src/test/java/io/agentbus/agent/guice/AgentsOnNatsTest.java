package io.agentbus.agent.guice;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.spi.ConnectionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agents wired by configuration alone on a real NATS server: two injectors play two processes,
 * each with its one connection.
 */
@ExtendWith(NatsServerExtension.class)
class AgentsOnNatsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  static final class Architect extends AbstractAgent {
    Architect(AgentContext context) {
      super(context);
    }

    @Override
    public String id() {
      return "architect-001";
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
          r -> Map.of("resource", r.content().get("resource"), "status", "ready"));
    }
  }

  @Test
  void manyAgentsStartingTogetherShareOneConnectionWithoutUpsettingIt(NatsServer server)
      throws Exception {
    Injector process = Guice.createInjector(new AgentBusModule(AgentBusConfig.fromProperties(
        Map.of("agentbus.transport", "nats", "agentbus.nats.url", server.url(),
            "agentbus.shutdown-hook", "false"))));
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    try (AgentHost host = process.getInstance(AgentHost.class)) {
      host.bus().transport().addConnectionListener(events::add);
      AgentContext context = process.getInstance(AgentContext.class);
      List<AbstractAgent> agents = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String id = "agent-" + i;
        agents.add(new AbstractAgent(context) {
          @Override
          public String id() {
            return id;
          }

          @Override
          protected void configure(Handlers h) {
            h.onRequest(MessageType.QUESTION, MessageType.ANSWER, r -> Map.of("me", id));
          }
        });
      }
      host.start(WAIT, agents.toArray(AbstractAgent[]::new));
      for (int i = 0; i < 12; i++) {
        assertThat(host.bus().request("asker", "agent-" + i, MessageType.QUESTION, Map.of(),
            WAIT).content()).containsEntry("me", "agent-" + i);
      }
      assertThat(host.bus().transport().stats().reconnects()).isZero();
    }
    assertThat(events).extracting(ConnectionEvent::kind)
        .doesNotContain(ConnectionEvent.Kind.DISCONNECTED, ConnectionEvent.Kind.ERROR);
  }

  @Test
  void anAgentInOneProcessAnswersAnotherAndTheMonitorSeesItComeAndGo(NatsServer server)
      throws Exception {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", server.url(),
        "agentbus.codec", "protobuf",
        "agentbus.shutdown-hook", "false"));
    Injector architectProcess = Guice.createInjector(new AgentBusModule(config));
    Injector orchestratorProcess = Guice.createInjector(new AgentBusModule(
        AgentBusConfig.fromProperties(Map.of(
            "agentbus.transport", "nats",
            "agentbus.nats.url", server.url(),
            "agentbus.shutdown-hook", "false"))));

    BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
    try (AgentHost orchestratorHost = orchestratorProcess.getInstance(AgentHost.class)) {
      MessageBus orchestratorBus = orchestratorHost.bus();
      assertThat(orchestratorBus.transport()).isInstanceOf(NatsTransport.class);
      OrchestratorMonitor monitor = orchestratorProcess
          .getInstance(OrchestratorMonitor.Builder.class).addListener(events::add).build()
          .start();
      orchestratorBus.transport().flush(WAIT);

      try (AgentHost architectHost = architectProcess.getInstance(AgentHost.class)) {
        architectHost.start(WAIT, new Architect(architectProcess.getInstance(AgentContext.class)));

        // a JSON requester, a Protobuf responder: the reply comes back in the request's codec
        AgentMessage reply = orchestratorBus.request("parser-dev-001", "architect-001",
            MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
        assertThat(reply.fromAgent()).isEqualTo("architect-001");
        assertThat(reply.content()).containsEntry("status", "ready");

        AgentEvent joined = events.poll(10, TimeUnit.SECONDS);
        assertThat(joined).isNotNull();
        assertThat(joined.kind()).isEqualTo(AgentEvent.Kind.JOINED);
        assertThat(joined.agentId()).isEqualTo("architect-001");
      }
      AgentEvent left = events.poll(10, TimeUnit.SECONDS);
      assertThat(left).isNotNull();
      assertThat(left.kind()).isEqualTo(AgentEvent.Kind.LEFT);
      assertThat(left.agentId()).isEqualTo("architect-001");
      monitor.close();
    }
  }
}
