package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.task.TaskHandle;
import io.agentbus.agent.task.TaskOptions;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.TaskState;
import io.agentbus.agent.task.Tasks;
import io.agentbus.test.agents.AgentTestKit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ${agentClassName} on the in-memory transport, the way other agents see it: through the bus.
 * {@link AgentTestKit} puts the transport, the bus, the agent and an orchestrator monitor on one
 * virtual clock: time moves only when a test calls {@code kit.advance(...)}, so the heartbeat test
 * covers five minutes, the timeout test five seconds and the task tests their steps in
 * milliseconds. Each wait of the kit fails
 * after 10 s of real time instead of hanging (docs/testing.md in the AgentBus repository).
 */
class ${agentClassName}Test {
  private AgentTestKit kit;
  private ${agentClassName} agent;
  /** The orchestrator's side of tasks: it assigns them to the agent and follows them. */
  private Tasks orchestrator;

  @BeforeEach
  void setUp() {
    kit = AgentTestKit.create();
    agent = kit.start(${agentClassName}::new);
    orchestrator = Tasks.builder(kit.bus(), "orchestrator-001").build().listen();
  }

  @AfterEach
  void tearDown() {
    orchestrator.close();
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
  void anAssignedTaskReportsEachStepAndCompletesWithItsResult() {
    List<Integer> stepsReported = new CopyOnWriteArrayList<>();
    TaskHandle task = orchestrator.assign(${agentClassName}.ID,
        Map.of("task", "invoice-2025-12", "steps", 3), TaskOptions.DEFAULTS,
        t -> stepReported(t, stepsReported));

    // each step takes a second of virtual time: wait for its report, then let the second pass
    for (int step = 1; step <= 3; step++) {
      int reported = step;
      kit.await("step " + step + " reported", () -> stepsReported.contains(reported));
      assertThat(task.state()).isEqualTo(TaskState.WORKING);
      kit.advance(${agentClassName}.STEP);
    }

    TaskOutcome outcome = kit.await(task.outcome());
    assertThat(outcome.isCompleted()).isTrue();
    assertThat(outcome.result())
        .containsEntry("task", "invoice-2025-12")
        .containsEntry("status", "done");
    assertThat(stepsReported).containsExactly(1, 2, 3);
  }

  @Test
  void aCanceledTaskStopsAtOnceAndReportsNoMoreSteps() {
    List<Integer> stepsReported = new CopyOnWriteArrayList<>();
    TaskHandle task = orchestrator.assign(${agentClassName}.ID,
        Map.of("task", "invoice-2025-12", "steps", 3), TaskOptions.DEFAULTS,
        t -> stepReported(t, stepsReported));
    kit.await("step 1 reported", () -> stepsReported.contains(1));

    assertThat(task.cancel("the invoice was withdrawn")).isTrue();

    // the agent's handler sees the cancel and ends the task, without waiting for its step
    kit.await("the agent stopped working on it", () -> agent.runningTasks() == 0);
    kit.advance(${agentClassName}.STEP.multipliedBy(3));
    TaskOutcome outcome = kit.await(task.outcome());
    assertThat(outcome.state()).isEqualTo(TaskState.CANCELED);
    assertThat(outcome.reason()).isEqualTo(TaskOutcome.Reason.CANCELED);
    assertThat(stepsReported).containsExactly(1);
  }

  /** Called on each change of the task: notes the step a progress report names. */
  private static void stepReported(TaskHandle task, List<Integer> steps) {
    if (task.state() == TaskState.WORKING
        && task.lastProgress().get("step") instanceof Number step) {
      steps.add(step.intValue());
    }
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
