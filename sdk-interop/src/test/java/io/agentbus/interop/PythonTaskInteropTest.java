package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.task.TaskHandle;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.TaskState;
import io.agentbus.agent.task.Tasks;
import io.agentbus.interop.PythonPeer.Run;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's Python agents (nats-py, {@code interop/python/tests/test_tasks_with_java.py}) in
 * AgentBus tasks on one real nats-server: a Python assignee reporting progress, completing and
 * seeing a cancel; a Python requester following a Java assignee's task to its end.
 */
class PythonTaskInteropTest {
  private static final Duration WAIT = PythonPeerInteropTest.WAIT;
  private static final String SCRIPT = "test_tasks_with_java.py::";

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static PythonPeer python;
  private MessageBus bus;
  private Tasks tasks;

  @BeforeAll
  static void locatePython() {
    python = PythonPeer.locate();
  }

  @BeforeEach
  void connect() {
    bus = AgentBusConfig.fromProperties(Map.of("agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
  }

  @AfterEach
  void close() {
    if (tasks != null) {
      tasks.close();
    }
    bus.close();
  }

  @Test
  void pythonAssigneeReportsProgressAndCompletes() throws Exception {
    tasks = Tasks.builder(bus, "orchestrator").build().listen();
    try (Run py = python.start(SCRIPT + "test_python_assignee_reports_progress_and_completes",
        nats.url())) {
      py.await("READY", WAIT);
      TaskHandle h = tasks.assign("py-worker", Map.of("lines", 21L));
      py.awaitPassed(1, WAIT);
      TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(o.state()).isEqualTo(TaskState.COMPLETED);
      assertThat(o.result()).isEqualTo(Map.of("lines", 42L));
      assertThat(h.lastProgress()).isEqualTo(Map.of("percent", 100L));
    }
  }

  @Test
  void pythonAssigneeSeesTheCancel() throws Exception {
    tasks = Tasks.builder(bus, "orchestrator").build().listen();
    try (Run py = python.start(SCRIPT + "test_python_assignee_sees_the_cancel", nats.url())) {
      py.await("READY", WAIT);
      TaskHandle h = tasks.assign("py-worker", Map.of());
      NatsTasksTest.await(() -> h.state() == TaskState.WORKING);
      assertThat(h.cancel("the user gave up")).isTrue();
      assertThat(h.outcome().get().reason()).isEqualTo(TaskOutcome.Reason.CANCELED);
      py.awaitPassed(1, WAIT);
      // the Python assignee's confirmation arrives after the task ended here: counted, not lost
      NatsTasksTest.await(() -> tasks.ignoredMessages() == 1);
    }
  }

  @Test
  void aPythonAgentAnswersAJavaGatherBesideAJavaOne() throws Exception {
    bus.subscribeToBroadcasts(MessageType.COORDINATION_REQUEST,
        d -> d.reply("java-architect", MessageType.ANSWER, Map.of("ready", true)));
    bus.flush(WAIT);
    try (Run py = python.start(SCRIPT + "test_python_agent_answers_a_java_gather", nats.url())) {
      py.await("READY", WAIT);
      GatherResult r = bus.gather(bus.subjects().broadcast(MessageType.COORDINATION_REQUEST),
          AgentMessage.builder().fromAgent("orchestrator")
              .messageType(MessageType.COORDINATION_REQUEST)
              .content(Map.of("question", "Is Task model ready?")).timestamp(Instant.now())
              .correlationId("orchestrator-1-1").build(),
          GatherOptions.builder(WAIT).expect(Set.of("py-architect", "java-architect", "absent"))
              .quietPeriod(Duration.ofSeconds(2)).build())
          .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
      py.awaitPassed(1, WAIT);
      assertThat(r.respondents()).containsExactlyInAnyOrder("py-architect", "java-architect");
      assertThat(r.missing()).containsExactly("absent");
      assertThat(r.replies()).filteredOn(m -> m.fromAgent().equals("py-architect"))
          .singleElement().satisfies(m -> {
            assertThat(m.content()).isEqualTo(Map.of("ready", true, "language", "python"));
            assertThat(m.correlationId()).isEqualTo("orchestrator-1-1");
          });
    }
  }

  @Test
  void pythonRequesterGetsAJavaTaskDone() throws Exception {
    tasks = Tasks.builder(bus, "java-worker").handler(task -> {
      task.progress(Map.of("step", "adding"));
      return Map.of("sum", (Long) task.input().get("a") + (Long) task.input().get("b"));
    }).build().listen();
    bus.flush(WAIT);
    try (Run py = python.start(SCRIPT + "test_python_requester_gets_a_java_task_done",
        nats.url())) {
      py.awaitPassed(1, WAIT);
    }
    assertThat(tasks.runningTasks()).isZero();
  }
}
