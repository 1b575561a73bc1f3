package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.test.agents.AgentTestKit;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two agents: a planner asks ${agentClassName} for its resource, gives it 5 s, and asks once more
 * when that times out (docs/testing.md in the AgentBus repository walks through it).
 */
class PairOfAgentsTest {
  private final AgentTestKit kit = AgentTestKit.create();

  @AfterEach
  void tearDown() {
    kit.close();
  }

  @Test
  void thePlannerAsksAgainWhenTheAgentIsSlowAndUsesTheSecondAnswer() {
    kit.start(${agentClassName}::new);
    kit.start(Planner::new);
    CompletableFuture<AgentMessage> complete = nextBroadcast(MessageType.TASK_COMPLETE);
    kit.hold(${agentClassName}.ID);        // ${agentClassName} is slow: messages to it wait

    kit.endpoint("orchestrator-001").send(Planner.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "plan-2025-12"));
    kit.awaitPendingRequests(1);          // the planner's first ask waits for its reply
    kit.advance(Planner.ASK_TIMEOUT);     // ... and times out, in no real time
    kit.awaitPendingRequests(1);          // the planner asked again
    kit.release(${agentClassName}.ID);     // it answers both; the planner waits only for the second

    AgentMessage done = kit.await(complete);
    assertThat(done.fromAgent()).isEqualTo(Planner.ID);
    assertThat(done.content())
        .containsEntry("attempts", 2L)
        .containsEntry("resource", ${agentClassName}.RESOURCE);
  }

  @Test
  void thePlannerGivesUpAfterTwoTimeouts() {
    kit.start(${agentClassName}::new);
    kit.start(Planner::new);
    CompletableFuture<AgentMessage> failed = nextBroadcast(MessageType.TASK_FAILED);
    kit.hold(${agentClassName}.ID);

    kit.endpoint("orchestrator-001").send(Planner.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "plan-2025-12"));
    for (int attempt = 1; attempt <= Planner.ATTEMPTS; attempt++) {
      kit.awaitPendingRequests(1);
      kit.advance(Planner.ASK_TIMEOUT);
    }

    assertThat(kit.await(failed).content()).containsEntry("attempts", 2L);
  }

  private CompletableFuture<AgentMessage> nextBroadcast(MessageType type) {
    CompletableFuture<AgentMessage> next = new CompletableFuture<>();
    kit.bus().subscribeToBroadcasts(type, d -> next.complete(d.message()));
    return next;
  }

  /** Asks ${agentClassName} for its resource when assigned a task: 5 s, then once more. */
  static final class Planner extends AbstractAgent {
    static final String ID = "planner";
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    static final int ATTEMPTS = 2;

    Planner(AgentContext context) {
      super(ID, context);
    }

    @Override
    protected void configure(Handlers handlers) {
      handlers.on(MessageType.TASK_ASSIGNMENT, this::plan);
    }

    private void plan(Delivery delivery) {
      Object task = delivery.message().content().get("task");
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          AgentMessage answer = request(${agentClassName}.ID, MessageType.RESOURCE_REQUEST,
              Map.of("resource", ${agentClassName}.RESOURCE), ASK_TIMEOUT);
          broadcast(MessageType.TASK_COMPLETE, Map.of("task", String.valueOf(task),
              "resource", answer.content().get("resource"), "attempts", attempt));
          return;
        } catch (RequestTimeoutException e) {
          // slow: ask again, up to ATTEMPTS times
        }
      }
      broadcast(MessageType.TASK_FAILED, Map.of("task", String.valueOf(task),
          "attempts", ATTEMPTS));
    }
  }
}
