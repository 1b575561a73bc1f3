package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Agent;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.interop.PythonPeer.Run;
import io.agentbus.test.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.service.Discovery;
import io.nats.service.EndpointStats;
import io.nats.service.InfoResponse;
import io.nats.service.PingResponse;
import io.nats.service.Service;
import io.nats.service.ServiceBuilder;
import io.nats.service.ServiceEndpoint;
import io.nats.service.StatsResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discovery on a real nats-server, with two buses standing for two processes: agents are listed by
 * clients no one here wrote (jnats' own micro {@link Discovery}, nats-py in {@code
 * test_discovery.py}), by {@link AgentDirectory} across buses, and a second agent with a live
 * agent's id is refused across processes.
 */
@Timeout(120)
class DiscoveryNatsTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private MessageBus busA;
  private MessageBus busB;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void connect() {
    busA = newBus();
    busB = newBus();
  }

  private static MessageBus newBus() {
    return AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
  }

  @AfterEach
  void close() throws Exception {
    for (Agent a : agents) {
      a.stopAsync();
    }
    for (Agent a : agents) {
      try {
        a.awaitTerminated(WAIT);
      } catch (IllegalStateException failedToStart) {
        // a refused duplicate ends FAILED
      }
    }
    busA.close();
    busB.close();
  }

  static final class Architect extends AbstractAgent {
    Architect(AgentContext context) {
      super("architect-001", context);
    }

    @Override
    public Set<String> teams() {
      return Set.of("design");
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
          m -> Map.of("resource", "task_model"));
    }
  }

  private <T extends Agent> T start(T agent) throws Exception {
    agents.add(agent);
    agent.startAsync().awaitRunning(WAIT);
    return agent;
  }

  /** architect-001 on bus A, asked once; parser-dev-001 on bus B. */
  private void startBoth() throws Exception {
    start(new Architect(AgentContext.of(busA)));
    start(new AbstractAgent("parser-dev-001", AgentContext.of(busB)) {
      @Override
      protected void configure(Handlers h) {
        h.on(MessageType.TASK_ASSIGNMENT, d -> {});
      }
    });
    busB.endpoint("parser-dev-001").request("architect-001", MessageType.RESOURCE_REQUEST,
        Map.of("resource", "task_model"), WAIT);
  }

  @Test
  void rawJnatsDiscoveryListsTheAgentsOfBothProcesses() throws Exception {
    startBoth();
    try (Connection nc = Nats.connect(nats.url())) {
      Discovery discovery = new Discovery(nc, 1000, 10);
      List<PingResponse> pings = discovery.ping();
      assertThat(pings).extracting(PingResponse::getName)
          .containsExactlyInAnyOrder("architect-001", "parser-dev-001");
      assertThat(pings).allSatisfy(p -> assertThat(p.getType())
          .isEqualTo("io.nats.micro.v1.ping_response"));

      List<InfoResponse> infos = discovery.info("architect-001");
      assertThat(infos).hasSize(1);
      InfoResponse info = infos.get(0);
      assertThat(info.getMetadata()).containsEntry("teams", "design")
          .containsEntry("message_types", "resource_request").containsEntry("sdk", "agentbus");
      assertThat(info.getEndpoints()).extracting(e -> e.getSubject())
          .containsExactly("orchestrator.agent.architect-001.resource_request");

      PingResponse one = discovery.ping("architect-001", info.getId());
      assertThat(one).isNotNull();
      assertThat(one.getId()).isEqualTo(info.getId());

      StatsResponse stats = discovery.stats("architect-001", info.getId());
      assertThat(stats.getStarted()).isNotNull();
      EndpointStats endpoint = stats.getEndpointStatsList().get(0);
      assertThat(endpoint.getName()).isEqualTo("resource_request");
      assertThat(endpoint.getNumRequests()).isEqualTo(1);
      assertThat(endpoint.getNumErrors()).isZero();
      assertThat(endpoint.getProcessingTime()).isPositive();
    }
  }

  @Test
  void theDirectoryListsAgentsOfAnotherProcessAndSkipsOtherMicroServices() throws Exception {
    startBoth();
    try (Connection nc = Nats.connect(nats.url())) {
      Service calc = new ServiceBuilder().connection(nc).name("calc").version("1.0.0")
          .addServiceEndpoint(ServiceEndpoint.builder().endpointName("add")
              .handler(m -> m.respond(nc, "3")).build())
          .build();
      calc.startService();
      try {
        AgentDirectory directory = AgentDirectory.of(busA);
        List<AgentInfo> all = directory.list(Duration.ofSeconds(1));
        assertThat(all).extracting(AgentInfo::agentId)
            .containsExactly("architect-001", "parser-dev-001");
        assertThat(directory.inTeam("design", Duration.ofSeconds(1)))
            .extracting(AgentInfo::agentId).containsExactly("architect-001");
        assertThat(directory.handling(MessageType.TASK_ASSIGNMENT, Duration.ofSeconds(1)))
            .extracting(AgentInfo::agentId).containsExactly("parser-dev-001");
      } finally {
        calc.stop();
      }
    }
  }

  @Test
  void aDuplicateIdInAnotherProcessIsRefusedNamingTheOtherInstance() throws Exception {
    start(new Architect(AgentContext.of(busA)));
    String first = AgentDirectory.of(busB).find("architect-001", WAIT).get(0).instanceId();

    Architect twin = new Architect(AgentContext.of(busB));
    agents.add(twin);
    twin.startAsync();
    try {
      twin.awaitTerminated(WAIT);
    } catch (IllegalStateException failed) {
      // a failed start
    }
    assertThat(twin.state()).isEqualTo(Agent.State.FAILED);
    assertThat(twin.failureCause()).hasMessageContaining("Agent id 'architect-001' is already "
        + "taken").hasMessageContaining(first);
    // the twin handled nothing: a request reaches the first instance alone, and only one answers
    assertThat(AgentDirectory.of(busB).find("architect-001", Duration.ofSeconds(1)))
        .extracting(AgentInfo::instanceId).containsExactly(first);

    Agent warned = start(new Architect(AgentContext.builder(busB)
        .duplicateIds(DuplicateIdPolicy.WARN).build()));
    assertThat(warned.state()).isEqualTo(Agent.State.RUNNING);
    assertThat(AgentDirectory.of(busA).find("architect-001", Duration.ofSeconds(1))).hasSize(2);
  }

  @Test
  void aMonitorInAnotherProcessKnowsTheAgentsAtOnce() throws Exception {
    start(new Architect(AgentContext.builder(busA).heartbeatInterval(Duration.ofHours(1))
        .build()));
    CountDownLatch joined = new CountDownLatch(1);
    try (OrchestratorMonitor monitor = OrchestratorMonitor.builder(busB)
        .addListener(e -> joined.countDown()).build().start()) {
      assertThat(joined.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(monitor.aliveAgents()).containsExactly("architect-001");
    }
  }

  @Test
  void natsPyListsAndChecksTheAgentsAgainstTheSchemas() throws Exception {
    PythonPeer python = PythonPeer.locate();
    startBoth();
    try (Run py = python.start("test_discovery.py", nats.url())) {
      String done = py.await("DONE", WAIT);
      assertThat(done).isEqualTo("pings=2 infos=2 requests=1");
      py.awaitPassed(1, WAIT);
    }
  }
}
