package io.agentbus.guice;

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
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.Transport;
import io.agentbus.transport.nats.NatsTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agents wired by {@link AgentBusModule} on a real NATS server: two injectors play two processes,
 * each with its one connection: the transport (agentbus.transport=nats), codec, bus, context,
 * host and monitor all come from configuration.
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

  /**
   * One "process": its own injector and NATS connection, on the server under test by
   * configuration alone, as a deployed agent gets it.
   */
  private static Injector process(NatsServer server, Map<String, String> properties) {
    Map<String, String> all = new HashMap<>(properties);
    all.put("agentbus.shutdown-hook", "false");
    all.put("agentbus.transport", "nats");
    all.put("agentbus.nats.url", server.url());
    return Guice.createInjector(new AgentBusModule(AgentBusConfig.fromProperties(all)));
  }

  @Test
  void manyAgentsStartingTogetherShareOneConnectionWithoutUpsettingIt(NatsServer server)
      throws Exception {
    Injector process = process(server, Map.of());
    List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    try (AgentHost host = process.getInstance(AgentHost.class)) {
      host.bus().addConnectionListener(events::add);
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
        assertThat(host.bus().endpoint("asker").request("agent-" + i, MessageType.QUESTION,
            Map.of(), WAIT).content()).containsEntry("me", "agent-" + i);
      }
      assertThat(host.bus().transportStats().reconnects()).isZero();
    }
    assertThat(events).extracting(ConnectionEvent::kind)
        .doesNotContain(ConnectionEvent.Kind.DISCONNECTED, ConnectionEvent.Kind.ERROR);
  }

  @Test
  void theLaunchersConnectionNameSaysWhichAgentsItServesUnlessOneIsConfigured(NatsServer server)
      throws Exception {
    Map<String, String> env = Map.of("AGENTBUS_TRANSPORT", "nats", "NATS_URL", server.url(),
        "AGENTBUS_SHUTDOWN_HOOK", "false");
    Class<?>[] agents = {ProbeMain.ProbeAgent.class, Architect.class};
    AgentBusConfig launched = AgentBusConfig.loader().environment(env).systemProperties(Map.of())
        .defaults(AgentApplication.applicationDefaults(agents)).load();
    Injector injector = Guice.createInjector(new AgentBusModule(launched));
    try (AgentHost host = injector.getInstance(AgentHost.class)) {
      // the declared ID constant where there is one, the class name otherwise
      assertThat(injector.getInstance(Transport.class).toString())
          .containsPattern("agentbus-[^ ]+-" + ProcessHandle.current().pid()
              + "\\[probe-agent,Architect\\]");
    }

    Map<String, String> named = new HashMap<>(env);
    named.put("AGENTBUS_NATS_CONNECTION_NAME", "billing-blue");
    AgentBusConfig configured = AgentBusConfig.loader().environment(named)
        .systemProperties(Map.of()).defaults(AgentApplication.applicationDefaults(agents)).load();
    Injector other = Guice.createInjector(new AgentBusModule(configured));
    try (AgentHost host = other.getInstance(AgentHost.class)) {
      assertThat(other.getInstance(Transport.class).toString()).contains("billing-blue")
          .doesNotContain("probe-agent");
    }
  }

  @Test
  void anAgentInOneProcessAnswersAnotherAndTheMonitorSeesItComeAndGo(NatsServer server)
      throws Exception {
    Injector architectProcess = process(server, Map.of("agentbus.codec", "protobuf"));
    Injector orchestratorProcess = process(server, Map.of());

    BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
    try (AgentHost orchestratorHost = orchestratorProcess.getInstance(AgentHost.class)) {
      MessageBus orchestratorBus = orchestratorHost.bus();
      assertThat(orchestratorProcess.getInstance(Transport.class)).isInstanceOf(NatsTransport.class);
      OrchestratorMonitor monitor = orchestratorProcess
          .getInstance(OrchestratorMonitor.Builder.class).addListener(events::add).build()
          .start();
      orchestratorBus.flush(WAIT);

      try (AgentHost architectHost = architectProcess.getInstance(AgentHost.class)) {
        architectHost.start(WAIT, new Architect(architectProcess.getInstance(AgentContext.class)));

        // a JSON requester, a Protobuf responder: the reply comes back in the request's codec
        AgentMessage reply = orchestratorBus.endpoint("parser-dev-001").request("architect-001",
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
