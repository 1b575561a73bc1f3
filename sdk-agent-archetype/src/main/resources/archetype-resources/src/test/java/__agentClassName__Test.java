package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.test.agents.AgentTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ${agentClassName} on the in-memory transport, the way other agents see it: through the bus.
 * {@link AgentTestKit} puts the transport, the bus, the agent and an orchestrator monitor on one
 * virtual clock: time moves only when a test calls {@code kit.advance(...)}, so the heartbeat test
 * covers five minutes and the timeout test five seconds in milliseconds. Each wait of the kit fails
 * after 10 s of real time instead of hanging (docs/testing.md in the AgentBus repository).
 */
class ${agentClassName}Test {
  private AgentTestKit kit;
  private ${agentClassName} agent;

  @BeforeEach
  void setUp() {
    kit = AgentTestKit.create();
    agent = kit.start(${agentClassName}::new);
  }

  @AfterEach
  void tearDown() {
    kit.close();
  }

  @Test
  void answersAResourceRequestForItsResource() {
    AgentMessage reply = kit.await(kit.endpoint("parser-dev-001").requestAsync(${agentClassName}.ID,
        MessageType.RESOURCE_REQUEST, Map.of("resource", ${agentClassName}.RESOURCE),
        Duration.ofSeconds(5)));

    assertThat(reply.messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
    assertThat(reply.fromAgent()).isEqualTo(${agentClassName}.ID);
    assertThat(reply.toAgent()).isEqualTo("parser-dev-001");
    assertThat(reply.correlationId()).startsWith("parser-dev-001-");
    assertThat(reply.content())
        .containsEntry("resource", ${agentClassName}.RESOURCE)
        .containsEntry("status", "ready");
  }

  @Test
  void aRequestForAnotherResourceFailsAtOnceWithTheReason() {
    CompletableFuture<AgentMessage> reply = kit.endpoint("parser-dev-001").requestAsync(
        ${agentClassName}.ID, MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"),
        Duration.ofSeconds(5));

    assertThatThrownBy(() -> kit.await(reply))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("does not own the resource 'task_model'");
  }

  @Test
  void aRequestItDoesNotAnswerInTimeTimesOutInVirtualTime() {
    kit.hold(${agentClassName}.ID); // as if the agent were busy: messages to it wait
    CompletableFuture<AgentMessage> reply = kit.endpoint("parser-dev-001").requestAsync(
        ${agentClassName}.ID, MessageType.RESOURCE_REQUEST,
        Map.of("resource", ${agentClassName}.RESOURCE), Duration.ofSeconds(5));

    kit.awaitPendingRequests(1); // the request, and its timeout, are on the clock
    kit.advance(Duration.ofSeconds(5));

    assertThatThrownBy(() -> kit.await(reply)).isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void anAssignedTaskIsBroadcastAsComplete() {
    CompletableFuture<AgentMessage> complete = new CompletableFuture<>();
    kit.bus().subscribeToBroadcasts(MessageType.TASK_COMPLETE, d -> complete.complete(d.message()));

    kit.endpoint("orchestrator-001").send(${agentClassName}.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "invoice-2025-12"));

    AgentMessage done = kit.await(complete);
    assertThat(done.fromAgent()).isEqualTo(${agentClassName}.ID);
    assertThat(done.toAgent()).isNull();
    assertThat(done.content())
        .containsEntry("task", "invoice-2025-12")
        .containsEntry("assigned_by", "orchestrator-001")
        .containsEntry("status", "done");
  }

  @Test
  void heartbeatsEveryThirtySecondsOfVirtualTimeAndTheMonitorKeepsItAlive() {
    Instant start = kit.time().now();
    kit.awaitHeartbeat(${agentClassName}.ID); // the first, when it started

    // ten heartbeat periods, one at a time: each heartbeat is published on the clock's thread and
    // delivered on the transport's, so wait for each before moving on
    for (int i = 1; i <= 10; i++) {
      kit.advance(Duration.ofSeconds(30));
      kit.awaitHeartbeat(${agentClassName}.ID);
    }
    assertThat(kit.time().now()).isEqualTo(start.plus(Duration.ofMinutes(5)));
    assertThat(kit.monitor().isAlive(${agentClassName}.ID)).isTrue();
  }
}
