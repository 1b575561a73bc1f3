package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.task.TaskHandle;
import io.agentbus.agent.task.TaskOptions;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.TaskState;
import io.agentbus.agent.task.Tasks;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tasks between two agents on separate connections of a real nats-server: the assignee's and the
 * requester's bus are two NATS clients, as two processes would be. Deadlines run in virtual time
 * (the requester's {@code Tasks} has a {@link VirtualScheduler}); the messages cross NATS.
 */
class NatsTasksTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final VirtualScheduler time = VirtualScheduler.create();
  private MessageBus workerBus;
  private MessageBus bossBus;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void connect() {
    workerBus = newBus();
    bossBus = newBus();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    workerBus.close();
    bossBus.close();
  }

  private static MessageBus newBus() {
    return AgentBusConfig.fromProperties(Map.of("agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
  }

  private Tasks worker(io.agentbus.agent.task.TaskHandler handler) {
    Tasks t = Tasks.builder(workerBus, "worker").handler(handler).build().listen();
    closing.add(0, t);
    workerBus.flush(WAIT);
    return t;
  }

  private Tasks boss() {
    Tasks t = Tasks.builder(bossBus, "boss").scheduler(time).options(TaskOptions.builder()
        .timeout(Duration.ofSeconds(10)).progressExtension(Duration.ofSeconds(10))
        .hardLimit(Duration.ofMinutes(1)).build()).build().listen();
    closing.add(0, t);
    bossBus.flush(WAIT);
    return t;
  }

  @Test
  void progressAndCompletionCrossNatsWithTheTaskIdHeader() throws Exception {
    BlockingQueue<String> headers = new LinkedBlockingQueue<>();
    closing.add(bossBus.subscribe("orchestrator.agent.boss.*",
        d -> headers.add(d.message().messageType().wireName() + " "
            + d.headers().first(Headers.TASK_ID) + " " + d.message().content().get("task_id")))
        ::unsubscribe);
    worker(task -> {
      task.progress(Map.of("percent", 50L));
      return Map.of("lines", 2 * (Long) task.input().get("lines"));
    });
    TaskHandle h = boss().assign("worker", Map.of("lines", 21L));

    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(o.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(o.result()).isEqualTo(Map.of("lines", 42L));
    assertThat(h.lastProgress()).isEqualTo(Map.of("percent", 50L));
    String id = h.taskId();
    List<String> seen = new ArrayList<>();
    while (seen.size() < 3) {
      seen.add(headers.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    assertThat(seen).containsExactly("status_update " + id + " " + id,
        "status_update " + id + " " + id, "task_complete " + id + " " + id);
  }

  @Test
  void aCancelCrossesNatsAndInterruptsTheHandler() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Tasks worker = worker(task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return Map.of();
    });
    Tasks boss = boss();
    TaskHandle h = boss.assign("worker", Map.of());
    await(() -> h.state() == TaskState.WORKING);
    h.cancel("not needed");
    assertThat(h.outcome().get().state()).isEqualTo(TaskState.CANCELED);
    assertThat(interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> worker.runningTasks() == 0 && boss.ignoredMessages() == 1);
  }

  @Test
  void theDeadlineFailsASilentHandlerAndCancelsIt() throws Exception {
    CountDownLatch canceled = new CountDownLatch(1);
    worker(task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        if (task.isCanceled()) {
          canceled.countDown();
        }
      }
      return Map.of();
    });
    TaskHandle h = boss().assign("worker", Map.of());
    await(() -> h.state() == TaskState.WORKING);
    time.advance(Duration.ofSeconds(9));
    assertThat(h.outcome()).isNotDone();
    time.advance(Duration.ofSeconds(1));
    assertThat(h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS).reason())
        .isEqualTo(TaskOutcome.Reason.DEADLINE_PASSED);
    assertThat(canceled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anAssignmentNobodyServesFailsAtOnceAndAnOfflineAssigneeIsLost() throws Exception {
    Tasks boss = boss();
    TaskOutcome none = boss.assign("nobody", Map.of()).outcome()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(none.reason()).isEqualTo(TaskOutcome.Reason.NOT_ACCEPTED);
    assertThat(none.error()).isEqualTo("no agent 'nobody' takes task_assignment messages");

    worker(task -> {
      new CountDownLatch(1).await();
      return Map.of();
    });
    TaskHandle h = boss.assign("worker", Map.of());
    await(() -> h.state() == TaskState.WORKING);
    workerBus.endpoint("worker").broadcast(MessageType.STATUS_UPDATE,
        Map.of("status", "offline", "reason", "failed"));
    TaskOutcome lost = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(lost.reason()).isEqualTo(TaskOutcome.Reason.ASSIGNEE_LOST);
    assertThat(lost.error()).isEqualTo("'worker' went offline (failed)");
  }

  @Test
  void aQueuedTaskSurvivesItsWorkersDeathOnJetStreamWithItsAttemptCounted() throws Exception {
    Map<String, String> durable = Map.of("agentbus.transport", "nats",
        "agentbus.nats.url", nats.url(), "agentbus.queue.reviews.durable", "true",
        "agentbus.queue.reviews.ack-wait", "1s");
    MessageBus first = AgentBusConfig.fromProperties(durable).newMessageBus();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    closing.add(never::countDown);
    Tasks.builder(first, "worker-a").serveQueue("reviews", 1).handler(task -> {
      started.countDown();
      never.await();
      return Map.of();
    }).build().listen();
    MessageBus bossBusDurable = AgentBusConfig.fromProperties(durable).newMessageBus();
    closing.add(bossBusDurable);
    Tasks boss = Tasks.builder(bossBusDurable, "boss").build().listen();
    closing.add(0, boss);

    TaskHandle h = boss.assignToQueue("reviews", Map.of("file", "parser.py"),
        TaskOptions.DEFAULTS, null);
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> h.assignee().equals("worker-a"));
    first.close(); // the worker's process dies with the task unacknowledged

    MessageBus second = AgentBusConfig.fromProperties(durable).newMessageBus();
    closing.add(0, second);
    Tasks replacement = Tasks.builder(second, "worker-b").serveQueue("reviews", 1)
        .handler(task -> Map.of("attempt", (long) task.attempt())).build().listen();
    closing.add(0, replacement);

    // JetStream delivers it again once the ack wait (1 s of real time) passed
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(o.assignee()).isEqualTo("worker-b");
    assertThat(o.result()).isEqualTo(Map.of("attempt", 2L));
    assertThat(h.attempts()).isEqualTo(2);
  }

  static void await(BooleanSupplier condition) throws Exception {
    Conditions.await(condition, WAIT, "the condition this test waits for");
  }
}
