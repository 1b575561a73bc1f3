package io.agentbus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.Agent.State;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AgentHostTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Published published = new Published();
  private final MessageBus bus = TestBus.create(Scheduler.system(), published);
  private final AgentContext context = AgentContext.of(bus);

  private AbstractAgent agent(String id) {
    return new AbstractAgent(context) {
      @Override
      public String id() {
        return id;
      }
    };
  }

  @Test
  void startsAgentsAndOnCloseStopsThemThenClosesTheBus() throws Exception {
    AbstractAgent a = agent("a");
    AbstractAgent b = agent("b");
    AgentHost host = AgentHost.create(bus, WAIT, false);

    host.start(WAIT, a, b);
    assertThat(a.state()).isEqualTo(State.RUNNING);
    assertThat(b.state()).isEqualTo(State.RUNNING);
    assertThat(host.agents()).containsExactly(a, b);

    host.close();
    assertThat(a.state()).isEqualTo(State.TERMINATED);
    assertThat(b.state()).isEqualTo(State.TERMINATED);
    assertThat(bus.isClosed()).isTrue();
    // both went offline before the bus closed
    assertThat(published.from("a", MessageType.STATUS_UPDATE)).hasSize(1);
    assertThat(published.from("b", MessageType.STATUS_UPDATE)).hasSize(1);

    host.close();
    assertThatThrownBy(() -> host.start(WAIT, agent("c")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void anAgentThatFailsToStartIsReportedAndTheRestAreStillStoppedOnClose() throws Exception {
    AbstractAgent good = agent("good");
    AbstractAgent bad = new AbstractAgent(context) {
      @Override
      public String id() {
        return "bad";
      }

      @Override
      protected void onStart() {
        throw new IllegalStateException("no config");
      }
    };
    try (AgentHost host = AgentHost.create(bus, WAIT, false)) {
      assertThatThrownBy(() -> host.start(WAIT, good, bad))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("no config");
      assertThat(bad.state()).isEqualTo(State.FAILED);
      good.awaitRunning(WAIT);
    }
    assertThat(good.state()).isEqualTo(State.TERMINATED);
    assertThat(bus.isClosed()).isTrue();
  }

  @Test
  void theHostServesOnlyWhileEveryAgentServesAndSaysWhichDoesNot() throws Exception {
    AbstractAgent a = agent("a");
    AbstractAgent b = agent("b");
    AgentHost host = AgentHost.create(bus, WAIT, false);
    assertThat(host.health()).isEqualTo(Agent.Health.notServing("the agent host has no agents"));
    host.start(WAIT, a, b);
    assertThat(host.health()).isEqualTo(Agent.Health.SERVING);

    b.stopAsync().awaitTerminated(WAIT);
    assertThat(host.health().serving()).isFalse();
    assertThat(host.health().reason()).startsWith("b: ").doesNotContain("a: ");

    host.close();
    assertThat(host.health()).isEqualTo(Agent.Health.notServing("the agent host is closed"));
  }

  @Test
  void registeredAgentsAreStoppedToo() throws Exception {
    AbstractAgent elsewhere = agent("elsewhere");
    elsewhere.startAsync().awaitRunning(WAIT);
    AgentHost host = AgentHost.create(bus, WAIT, false).register(elsewhere);
    host.close();
    assertThat(elsewhere.state()).isEqualTo(State.TERMINATED);
    assertThatThrownBy(() -> bus.endpoint("x").broadcast(MessageType.HEARTBEAT, Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  /** The class comment's example, as written there. */
  @Test
  void theDocumentedExampleRuns() throws Exception {
    AbstractAgent architect = agent("architect-001");
    AbstractAgent decomposer = agent("decomposer-001");
    // the parser's work ends the run, once everyone runs: a loop that stopped at once could stop
    // before host.start saw it running, which start reports as a failure to start
    CountDownLatch allRunning = new CountDownLatch(1);
    AbstractAgent parser = new AbstractAgent("parser-dev-001", context) {
      @Override
      protected void configure(Handlers h) {
        h.workLoop(() -> {
          allRunning.await();
          stopAsync();
        });
      }
    };

    try (AgentHost host = AgentHost.create(bus, Duration.ofSeconds(15), true)) {
      host.start(Duration.ofSeconds(10), architect, parser, decomposer);
      allRunning.countDown();
      parser.awaitTerminated(Duration.ofMinutes(5)); // whatever ends the run
    } // stops the agents, then closes the bus

    assertThat(architect.state()).isEqualTo(State.TERMINATED);
    assertThat(decomposer.state()).isEqualTo(State.TERMINATED);
    assertThat(bus.isClosed()).isTrue();
  }

  @Test
  void closingStopsTheAgentsLastStartedFirst() throws Exception {
    List<String> stopped = Collections.synchronizedList(new ArrayList<>());
    AgentHost host = AgentHost.create(bus, WAIT, false);
    List<AbstractAgent> started = List.of(agent("first"), agent("second"), agent("third"));
    for (AbstractAgent a : started) {
      a.addListener((agent, from, to, failure) -> {
        if (to == State.TERMINATED) {
          stopped.add(agent.id());
        }
      });
      host.start(WAIT, a);
    }
    host.close();
    assertThat(stopped).containsExactly("third", "second", "first");
  }
}
