package io.agentbus.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.Headers;
import io.agentbus.InvalidSubjectException;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agents answer the NATS micro service protocol on the in-memory transport, with the JSON of
 * ADR-32; the directory lists them; duplicate ids are refused. {@code sdk-interop}'s
 * {@code DiscoveryNatsTest} runs the same checks on a real nats-server, asked by raw jnats and
 * nats-py.
 */
@Timeout(30)
class AgentDiscoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private MessageBus bus;

  @BeforeEach
  void setUp() {
    bus = MessageBus.builder().transport(InMemoryTransport.create()).codec(JsonCodec.create())
        .build();
  }

  @AfterEach
  void tearDown() {
    bus.close();
  }

  /** An architect in the {@code design} team: a request type, a broadcast, a queue. */
  static final class Architect extends AbstractAgent {
    Architect(String id, AgentContext context) {
      super(id, context);
    }

    @Override
    public Set<String> teams() {
      return Set.of("design");
    }

    @Override
    protected String version() {
      return "1.2.3";
    }

    @Override
    protected String description() {
      return "Answers resource requests";
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, m -> {
        if (m.content().containsKey("fail")) {
          throw new IllegalStateException("asked to fail");
        }
        return Map.of("resource", "task_model");
      });
      h.onBroadcast(MessageType.TASK_COMPLETE, d -> {});
      h.onQueue("reviews", 1, d -> {});
    }
  }

  private Agent start(AbstractAgent agent) throws Exception {
    agent.startAsync().awaitRunning(WAIT);
    return agent;
  }

  private Map<String, Object> ask(String subject) throws Exception {
    TransportMessage reply = bus.transport().requestAndWait(subject, Headers.empty(),
        new byte[0], WAIT);
    return MicroJson.readObject(reply.payload());
  }

  @Test
  void answersPingInfoAndStatsWithAndWithoutItsNameAndInstanceId() throws Exception {
    start(new Architect("architect-001", AgentContext.of(bus)));

    Map<String, Object> ping = ask("$SRV.PING");
    assertThat(ping).containsEntry("type", "io.nats.micro.v1.ping_response")
        .containsEntry("name", "architect-001").containsEntry("version", "1.2.3")
        .containsKeys("id", "metadata");
    String id = (String) ping.get("id");
    assertThat(id).matches("[0-9A-Za-z]{22}");
    assertThat(ask("$SRV.PING.architect-001")).isEqualTo(ping);
    assertThat(ask("$SRV.PING.architect-001." + id)).isEqualTo(ping);

    Map<String, Object> info = ask("$SRV.INFO.architect-001");
    assertThat(info).containsEntry("type", "io.nats.micro.v1.info_response")
        .containsEntry("description", "Answers resource requests").containsEntry("id", id);
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) info.get("metadata");
    assertThat(metadata).containsEntry("teams", "design")
        .containsEntry("message_types", "resource_request")
        .containsEntry("broadcasts", "task_complete").containsEntry("queues", "reviews")
        .containsEntry("sdk", "agentbus").containsEntry("namespace", "orchestrator")
        .containsEntry("codec", "application/json").containsKey("sdk_version");
    assertThat(metadata.values()).allMatch(v -> v instanceof String);
    assertThat(((List<?>) info.get("endpoints")).stream().map(e -> String.valueOf(((Map<?, ?>) e).get("subject")))
        .toList()).containsExactly("orchestrator.agent.architect-001.resource_request",
            "orchestrator.broadcast.task_complete", "orchestrator.queue.reviews");
    assertThat(ask("$SRV.INFO")).isEqualTo(info);
    assertThat(ask("$SRV.INFO.architect-001." + id)).isEqualTo(info);

    // one good request, one failing: the stats count both
    var caller = bus.endpoint("caller");
    caller.request("architect-001", MessageType.RESOURCE_REQUEST, Map.of(), WAIT);
    try {
      caller.request("architect-001", MessageType.RESOURCE_REQUEST, Map.of("fail", true), WAIT);
    } catch (RuntimeException expected) {
      // the remote handler failed, as it should
    }
    Map<String, Object> stats = ask("$SRV.STATS.architect-001." + id);
    assertThat(stats).containsEntry("type", "io.nats.micro.v1.stats_response");
    assertThat((String) stats.get("started"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    Map<?, ?> endpoint = (Map<?, ?>) ((List<?>) stats.get("endpoints")).get(0);
    assertThat(endpoint.get("name")).isEqualTo("resource_request");
    assertThat(endpoint.get("num_requests")).isEqualTo(2L);
    assertThat(endpoint.get("num_errors")).isEqualTo(1L);
    assertThat((String) endpoint.get("last_error")).contains("asked to fail");
    assertThat((Long) endpoint.get("processing_time")).isPositive();
    assertThat((Long) endpoint.get("average_processing_time"))
        .isEqualTo((Long) endpoint.get("processing_time") / 2);
  }

  @Test
  void theDirectoryListsAgentsByTypeAndTeamAndSkipsOtherServices() throws Exception {
    start(new Architect("architect-001", AgentContext.of(bus)));
    start(new AbstractAgent("parser-001", AgentContext.of(bus)) {
      @Override
      protected void configure(Handlers h) {
        h.on(MessageType.TASK_ASSIGNMENT, d -> {});
      }
    });
    // a foreign micro service answering $SRV.INFO: not an agent, not listed
    bus.transport().subscribe("$SRV.INFO", null, m -> bus.transport().publish(m.replyTo(), null,
        Headers.empty(), MicroJson.write(Map.of("type", "io.nats.micro.v1.info_response",
            "name", "other", "id", "x", "version", "1.0.0", "description", ""))));

    AgentDirectory directory = AgentDirectory.builder(bus).alsoAlive(() -> List.of("py-agent"))
        .build();
    List<AgentInfo> all = directory.list(Duration.ofMillis(300));
    assertThat(all).extracting(AgentInfo::agentId)
        .containsExactly("architect-001", "parser-001", "py-agent");
    assertThat(all.get(2).source()).isEqualTo(AgentInfo.Source.HEARTBEAT);
    AgentInfo architect = all.get(0);
    assertThat(architect.source()).isEqualTo(AgentInfo.Source.DISCOVERY);
    assertThat(architect.teams()).containsExactly("design");
    assertThat(architect.messageTypes()).containsExactly(MessageType.RESOURCE_REQUEST);
    assertThat(architect.version()).isEqualTo("1.2.3");
    assertThat(architect.endpoints()).hasSize(3);

    assertThat(directory.handling(MessageType.TASK_ASSIGNMENT, Duration.ofMillis(300)))
        .extracting(AgentInfo::agentId).containsExactly("parser-001");
    assertThat(directory.inTeam("design", Duration.ofMillis(300)))
        .extracting(AgentInfo::agentId).containsExactly("architect-001");
    assertThat(directory.find("parser-001", Duration.ofMillis(300))).hasSize(1);
  }

  @Test
  void onVirtualTimeAListingEndsWhenTheClockPassesItsTimeoutAndCancellingReleasesIt()
      throws Exception {
    VirtualScheduler time = VirtualScheduler.create();
    try (MessageBus virtual = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).scheduler(time).build()) {
      start(new Architect("architect-001", AgentContext.of(virtual)));
      java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
      var listing = AgentDirectory.of(virtual).listAsync(Duration.ofSeconds(5),
          info -> answered.countDown());
      assertThat(answered.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .isTrue();
      assertThat(listing).isNotDone();
      time.advance(Duration.ofSeconds(5));
      assertThat(listing.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .extracting(AgentInfo::agentId).containsExactly("architect-001");

      int before = time.pendingTasks();
      var cancelled = AgentDirectory.of(virtual).listAsync(Duration.ofMinutes(1));
      assertThat(time.pendingTasks()).isEqualTo(before + 1);
      cancelled.cancel(false);
      assertThat(time.pendingTasks()).as("its timer released").isEqualTo(before);
    }
  }

  @Test
  void aGatherFromATeamExpectsTheMembersTheDirectoryLists() throws Exception {
    start(new Architect("architect-001", AgentContext.of(bus))); // team "design"
    GatherResult r = AgentDirectory.of(bus).gatherFromTeam("design", question(bus),
        GatherOptions.builder(Duration.ofSeconds(60)).build(), Duration.ofMillis(500))
        .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.expected()).containsExactly("architect-001");
    assertThat(r.respondents()).containsExactly("architect-001");
    assertThat(r.unexpected()).isEmpty();
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.ALL_EXPECTED); // not the 60 s deadline
  }

  @Test
  void cancellingAGatherDuringItsLookupReleasesItsTimerAndABadTeamIsRefused() {
    VirtualScheduler time = VirtualScheduler.create();
    try (MessageBus virtual = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).scheduler(time).build()) {
      AgentDirectory directory = AgentDirectory.of(virtual);
      GatherOptions options = GatherOptions.builder(Duration.ofSeconds(5)).build();
      int before = time.pendingTasks();
      var cancelled = directory.gatherFromTeam("design", question(virtual), options,
          Duration.ofMinutes(1));
      assertThat(time.pendingTasks()).as("the lookup on the clock").isEqualTo(before + 1);
      cancelled.cancel(false);
      assertThat(time.pendingTasks()).as("the lookup's timer released").isEqualTo(before);

      assertThatThrownBy(() -> directory.gatherFromTeam("design team", question(virtual),
          options, Duration.ofSeconds(1)))
          .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("team id");
    }
  }

  private static AgentMessage question(MessageBus on) {
    return AgentMessage.builder().fromAgent("orchestrator")
        .messageType(MessageType.RESOURCE_REQUEST).content(Map.of())
        .timestamp(on.scheduler().now()).build();
  }

  @Test
  void aStoppedAgentNoLongerAnswers() throws Exception {
    Agent a = start(new Architect("architect-001", AgentContext.of(bus)));
    a.stopAsync().awaitTerminated(WAIT);
    assertThat(AgentDirectory.of(bus).list(Duration.ofMillis(200))).isEmpty();
  }

  @Test
  void aSecondAgentWithALiveAgentsIdIsRefusedNamingTheIdAndTheOtherInstance() throws Exception {
    start(new Architect("architect-001", AgentContext.of(bus)));
    String otherId = AgentDirectory.of(bus).pingFirst("architect-001", WAIT).orElseThrow()
        .instanceId();
    Architect twin = new Architect("architect-001", AgentContext.of(bus));
    twin.startAsync();
    try {
      twin.awaitTerminated(WAIT);
    } catch (IllegalStateException failed) {
      // awaitTerminated reports a failed start this way
    }
    assertThat(twin.state()).isEqualTo(Agent.State.FAILED);
    assertThat(twin.failureCause()).hasMessageContaining("'architect-001' is already taken")
        .hasMessageContaining(otherId).hasMessageContaining("agentbus.duplicate-ids=refuse");
    // the twin never answered discovery: one instance only
    assertThat(AgentDirectory.of(bus).find("architect-001", Duration.ofMillis(200))).hasSize(1);
  }

  @Test
  void underWarnTheDuplicateStarts() throws Exception {
    start(new Architect("architect-001", AgentContext.of(bus)));
    AgentContext warn = AgentContext.builder(bus).duplicateIds(DuplicateIdPolicy.WARN).build();
    Agent twin = start(new Architect("architect-001", warn));
    assertThat(twin.state()).isEqualTo(Agent.State.RUNNING);
    assertThat(AgentDirectory.of(bus).find("architect-001", Duration.ofMillis(200))).hasSize(2);
  }

  @Test
  void withDiscoveryOffNothingAnswers() throws Exception {
    start(new Architect("architect-001", AgentContext.builder(bus).discovery(false).build()));
    assertThat(AgentDirectory.of(bus).list(Duration.ofMillis(200))).isEmpty();
  }

  @Test
  void theMonitorKnowsRunningAgentsAtStartBeforeAnyHeartbeat() throws Exception {
    // heartbeats every hour: only discovery can tell the monitor at once
    AgentContext slow = AgentContext.builder(bus).heartbeatInterval(Duration.ofHours(1))
        .build();
    start(new Architect("architect-001", slow));
    try (OrchestratorMonitor monitor = OrchestratorMonitor.builder(bus).build()) {
      java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
      monitor.addListener(e -> joined.countDown());
      monitor.start();
      assertThat(joined.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(monitor.aliveAgents()).containsExactly("architect-001");
      assertThat(monitor.observedMessages()).isZero();
    }
  }
}
