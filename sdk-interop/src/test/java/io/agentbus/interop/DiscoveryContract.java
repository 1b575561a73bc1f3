package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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

/**
 * Discovery as every transport must do it, with two buses standing for two processes: the nine
 * {@code $SRV} subjects answer, {@link AgentDirectory} lists the agents of the other bus (and skips
 * other micro services), a second agent with a live agent's id is refused, and a monitor on the
 * other bus knows the agents at once; a scatter-gather to a team, or to the listeners of a type,
 * expects the agents the directory lists. {@link DiscoveryInMemoryTest} and {@link DiscoveryNatsTest}
 * run it; the NATS one adds clients no one here wrote.
 */
@Timeout(120)
abstract class DiscoveryContract {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final Duration GATHER = Duration.ofSeconds(1);

  protected MessageBus busA;
  protected MessageBus busB;
  private final List<Agent> agents = new ArrayList<>();

  /** A new bus, as another process would have, on the one server of the test. */
  protected abstract MessageBus newBus();

  @BeforeEach
  void connect() {
    busA = newBus();
    busB = newBus();
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

  protected <T extends Agent> T start(T agent) throws Exception {
    agents.add(agent);
    agent.startAsync().awaitRunning(WAIT);
    return agent;
  }

  /** architect-001 on bus A, asked once; parser-dev-001 on bus B. */
  protected void startBoth() throws Exception {
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

  private String ask(String subject) throws Exception {
    return new String(busB.transport().requestAndWait(subject, Headers.empty(), new byte[0], WAIT)
        .payload(), StandardCharsets.UTF_8);
  }

  @Test
  void theNineSubjectsAnswerWithTheSchemasTypes() throws Exception {
    startBoth();
    AgentInfo architect = AgentDirectory.of(busB).find("architect-001", GATHER).get(0);
    String id = architect.instanceId();
    for (String verb : List.of("PING", "INFO", "STATS")) {
      String type = "\"type\":\"io.nats.micro.v1." + verb.toLowerCase() + "_response\"";
      assertThat(ask("$SRV." + verb + ".architect-001")).contains(type)
          .contains("\"id\":\"" + id + "\"");
      assertThat(ask("$SRV." + verb + ".architect-001." + id)).contains(type);
      assertThat(ask("$SRV." + verb)).contains(type); // whichever agent answers first
    }
    assertThat(ask("$SRV.STATS.architect-001")).contains("\"num_requests\":1,");
  }

  @Test
  void theDirectoryListsTheAgentsOfAnotherBusAndSkipsOtherServices() throws Exception {
    startBoth();
    // a micro service that is not an agent also answers $SRV.INFO: not listed
    busB.transport().subscribe("$SRV.INFO", null, m -> busB.transport().publish(m.replyTo(), null,
        Headers.empty(), ("{\"type\":\"io.nats.micro.v1.info_response\",\"name\":\"calc\","
            + "\"id\":\"x\",\"version\":\"1.0.0\",\"description\":\"\",\"endpoints\":[]}")
            .getBytes(StandardCharsets.UTF_8)));
    busB.flush(WAIT);
    AgentDirectory directory = AgentDirectory.of(busA);
    List<AgentInfo> all = directory.list(GATHER);
    assertThat(all).extracting(AgentInfo::agentId)
        .containsExactly("architect-001", "parser-dev-001");
    assertThat(all.get(0).teams()).containsExactly("design");
    assertThat(all.get(0).messageTypes()).containsExactly(MessageType.RESOURCE_REQUEST);
    assertThat(directory.inTeam("design", GATHER))
        .extracting(AgentInfo::agentId).containsExactly("architect-001");
    assertThat(directory.handling(MessageType.TASK_ASSIGNMENT, GATHER))
        .extracting(AgentInfo::agentId).containsExactly("parser-dev-001");
  }

  @Test
  void aDuplicateIdOnAnotherBusIsRefusedNamingTheOtherInstance() throws Exception {
    start(new Architect(AgentContext.of(busA)));
    String first = AgentDirectory.of(busB).find("architect-001", GATHER).get(0).instanceId();

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
    // the twin never subscribed: one instance answers
    assertThat(AgentDirectory.of(busB).find("architect-001", GATHER))
        .extracting(AgentInfo::instanceId).containsExactly(first);

    Agent warned = start(new Architect(AgentContext.builder(busB)
        .duplicateIds(DuplicateIdPolicy.WARN).build()));
    assertThat(warned.state()).isEqualTo(Agent.State.RUNNING);
    assertThat(AgentDirectory.of(busA).find("architect-001", GATHER)).hasSize(2);
  }

  @Test
  void aMonitorOnAnotherBusKnowsTheAgentsAtOnce() throws Exception {
    start(new Architect(AgentContext.builder(busA).heartbeatInterval(Duration.ofHours(1))
        .build()));
    // its first heartbeat has reached the server before the monitor subscribes: the monitor must
    // learn of the agent from discovery, not from that heartbeat
    busA.flush(WAIT);
    CountDownLatch joined = new CountDownLatch(1);
    try (OrchestratorMonitor monitor = OrchestratorMonitor.builder(busB)
        .addListener(e -> joined.countDown()).build().start()) {
      assertThat(joined.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(monitor.aliveAgents()).containsExactly("architect-001");
      assertThat(monitor.observedMessages()).as("known from discovery, not a heartbeat").isZero();
    }
  }

  // ------------------------------------------------------------------ scatter-gather, expected
  // from the directory: real agents on bus A (one answering, one slow, one failing, one hung, and
  // an answer from an agent the directory does not list), the requester on bus B

  /** A member of team "review" that answers coordination requests by {@code answer}. */
  private void reviewer(String id, io.agentbus.agent.RequestHandler answer) throws Exception {
    start(new AbstractAgent(id, AgentContext.of(busA)) {
      @Override
      public Set<String> teams() {
        return Set.of("review");
      }

      @Override
      protected void configure(Handlers h) {
        h.onRequest(MessageType.COORDINATION_REQUEST, MessageType.ANSWER, answer);
      }
    });
  }

  /** An agent that answers broadcast coordination requests. */
  private void listener(String id) throws Exception {
    start(new AbstractAgent(id, AgentContext.of(busA)) {
      @Override
      protected void configure(Handlers h) {
        h.onBroadcast(MessageType.COORDINATION_REQUEST, d -> {
          if (d.isRequest()) {
            d.reply(id, MessageType.ANSWER, Map.of("ready", true));
          }
        });
      }
    });
  }

  private AgentMessage question() {
    return AgentMessage.builder().fromAgent("orchestrator").messageType(
        MessageType.COORDINATION_REQUEST).content(Map.of("question", "ready to review?"))
        .timestamp(Instant.now()).build();
  }

  @Test
  void theTeamsMembersAreExpectedAndTheResultSaysWhoAnsweredWhoDidNotAndWhoWasNotListed()
      throws Exception {
    CountDownLatch fastAnswered = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1); // holds the hung agent until the test ends
    reviewer("reviewer-fast", m -> {
      fastAnswered.countDown();
      return Map.of("ready", true);
    });
    reviewer("reviewer-slow", m -> {
      assertThat(fastAnswered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      return Map.of("ready", true, "late", true);
    });
    reviewer("reviewer-failing", m -> {
      throw new IllegalStateException("no reviewer free");
    });
    reviewer("reviewer-hung", m -> {
      end.await(); // a hung process: never answers
      return Map.of();
    });
    // answers on the team's subject, but is no agent the directory lists
    busA.subscribe(busA.subjects().team("review", MessageType.COORDINATION_REQUEST),
        d -> d.reply("outsider-001", MessageType.ANSWER, Map.of("ready", false)));
    busA.flush(WAIT);

    GatherResult r;
    try {
      r = AgentDirectory.of(busB).gatherFromTeam("review", question(),
          GatherOptions.builder(Duration.ofSeconds(3)).build(), GATHER)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      end.countDown();
    }

    assertThat(r.expected()).containsExactlyInAnyOrder("reviewer-fast", "reviewer-slow",
        "reviewer-failing", "reviewer-hung");
    assertThat(r.respondents()).containsExactlyInAnyOrder("reviewer-fast", "reviewer-slow",
        "outsider-001");
    assertThat(r.missing()).containsExactlyInAnyOrder("reviewer-failing", "reviewer-hung");
    assertThat(r.unexpected()).containsExactly("outsider-001");
    assertThat(r.failures()).singleElement().asString().contains("no reviewer free");
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.DEADLINE);
  }

  @Test
  void gatheringFromTheListenersOfATypeEndsOnceEachListedListenerAnswered() throws Exception {
    listener("planner-001");
    listener("planner-002");
    // takes coordination requests addressed to it only: a broadcast does not reach it
    start(new AbstractAgent("direct-only-001", AgentContext.of(busA)) {
      @Override
      protected void configure(Handlers h) {
        h.onRequest(MessageType.COORDINATION_REQUEST, MessageType.ANSWER, m -> Map.of());
      }
    });

    GatherResult r = AgentDirectory.of(busB).gatherFromListeners(question(),
        GatherOptions.builder(Duration.ofSeconds(60)).build(), GATHER)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(r.expected()).containsExactlyInAnyOrder("planner-001", "planner-002");
    assertThat(r.respondents()).containsExactlyInAnyOrder("planner-001", "planner-002");
    assertThat(r.missing()).isEmpty();
    assertThat(r.unexpected()).isEmpty();
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.ALL_EXPECTED); // long before 60 s
  }

  @Test
  void aTeamNobodyIsInExpectsNoOne() throws Exception {
    reviewer("reviewer-fast", m -> Map.of("ready", true));
    GatherResult r = AgentDirectory.of(busB).gatherFromTeam("empty-team", question(),
        GatherOptions.builder(Duration.ofMillis(200)).build(), GATHER)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.expected()).isEmpty();
    assertThat(r.respondents()).isEmpty();
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.DEADLINE);
  }
}
