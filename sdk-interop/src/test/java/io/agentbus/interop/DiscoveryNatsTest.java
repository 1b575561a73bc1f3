package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DiscoveryContract} on a real nats-server, plus clients no one here wrote: jnats' own micro
 * {@link Discovery} and nats-py ({@code interop/python/tests/test_discovery.py}, which checks the
 * answers against the ADR-32 schemas and parses them with {@code nats.micro}).
 */
class DiscoveryNatsTest extends DiscoveryContract {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Override
  protected MessageBus newBus() {
    return AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
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
  void aJnatsMicroServiceIsNotListedAsAnAgent() throws Exception {
    startBoth();
    try (Connection nc = Nats.connect(nats.url())) {
      Service calc = new ServiceBuilder().connection(nc).name("calc").version("1.0.0")
          .addServiceEndpoint(ServiceEndpoint.builder().endpointName("add")
              .handler(m -> m.respond(nc, "3")).build())
          .build();
      calc.startService();
      try {
        assertThat(new Discovery(nc, 1000, 10).ping()).extracting(PingResponse::getName)
            .containsExactlyInAnyOrder("calc", "architect-001", "parser-dev-001");
        assertThat(AgentDirectory.of(busA).list(GATHER)).extracting(AgentInfo::agentId)
            .containsExactly("architect-001", "parser-dev-001");
      } finally {
        calc.stop();
      }
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
