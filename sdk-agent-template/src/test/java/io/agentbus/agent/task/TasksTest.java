package io.agentbus.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
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
import org.junit.jupiter.api.extension.ExtendWith;

/** Tasks on the in-memory transport, in virtual time. */
@ExtendWith(VirtualTimeExtension.class)
class TasksTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final TaskOptions SHORT = TaskOptions.builder().timeout(Duration.ofSeconds(10))
      .progressExtension(Duration.ofSeconds(10)).hardLimit(Duration.ofSeconds(25))
      .assigneeSilenceLimit(Duration.ofSeconds(90)).build();

  private VirtualScheduler time;
  private MessageBus bus;
  private final List<String> taskHeaders = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    bus = MessageBus.builder().transport(InMemoryTransport.create()).codec(JsonCodec.create())
        .scheduler(time).addInterceptor(new MessageInterceptor() {
          @Override
          public Headers beforePublish(String subject, AgentMessage m, Headers h, byte[] p) {
            String id = h.first(Headers.TASK_ID);
            synchronized (taskHeaders) {
              taskHeaders.add(m.messageType().wireName() + ":" + id
                  + ":" + m.content().get("task_id"));
            }
            return h;
          }
        }).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    bus.close();
  }

  private Tasks tasks(String id, TaskHandler handler) {
    Tasks t = Tasks.builder(bus, id).options(SHORT).handler(handler).build().listen();
    closing.add(0, t);
    return t;
  }

  private Tasks requester() {
    Tasks t = Tasks.builder(bus, "orchestrator").options(SHORT).build().listen();
    closing.add(0, t);
    return t;
  }

  @Test
  void assigneeReportsProgressAndCompletesAndEveryMessageCarriesTheTaskId() throws Exception {
    tasks("worker", task -> {
      task.progress(Map.of("percent", 50L));
      return Map.of("echo", task.input().get("file"), "requester", task.requester());
    });
    BlockingQueue<TaskState> states = new LinkedBlockingQueue<>();
    TaskHandle h = requester().assign("worker", Map.of("file", "parser.py"));
    h.onUpdate(t -> states.add(t.state()));

    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(o.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.COMPLETED);
    assertThat(o.result()).isEqualTo(Map.of("echo", "parser.py", "requester", "orchestrator"));
    assertThat(o.error()).isNull();
    assertThat(h.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(states).contains(TaskState.COMPLETED);
    assertThat(h.lastProgress()).isEqualTo(Map.of("percent", 50L));
    // a listener added after the end is told of it at once, and once
    List<TaskState> late = new ArrayList<>();
    h.onUpdate(t -> late.add(t.state()));
    assertThat(late).containsExactly(TaskState.COMPLETED);
    synchronized (taskHeaders) {
      assertThat(taskHeaders).allSatisfy(s -> {
        String[] parts = s.split(":");
        assertThat(parts[1]).isEqualTo(h.taskId()).isEqualTo(parts[2]);
      });
      assertThat(taskHeaders).extracting(s -> s.split(":")[0])
          .contains("task_assignment", "status_update", "task_complete");
    }
  }

  @Test
  void progressExtendsTheDeadlineAndItsEndCancelsTheAssignee() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch sawCancel = new CountDownLatch(1);
    tasks("worker", task -> {
      go.await();
      task.progress(Map.of("step", 1));
      try {
        new CountDownLatch(1).await(); // until interrupted by the cancel
      } catch (InterruptedException e) {
        if (task.isCanceled()) {
          sawCancel.countDown();
        }
        throw e;
      }
      return Map.of();
    });
    TaskHandle h = requester().assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);
    assertThat(h.deadline()).isEqualTo(h.assignedAt().plusSeconds(10));

    time.advance(Duration.ofSeconds(8));
    BlockingQueue<Map<String, Object>> progress = new LinkedBlockingQueue<>();
    h.onUpdate(t -> {
      if (!t.lastProgress().isEmpty()) {
        progress.add(t.lastProgress());
      }
    });
    go.countDown();
    assertThat(progress.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("step", 1L));
    assertThat(h.deadline()).isEqualTo(h.assignedAt().plusSeconds(18));

    time.advance(Duration.ofSeconds(9)); // 17 s: past the first deadline, before the extended one
    assertThat(h.outcome()).isNotDone();
    time.advance(Duration.ofSeconds(1)); // 18 s
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.FAILED);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.DEADLINE_PASSED);
    assertThat(sawCancel.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void progressNeverExtendsBeyondTheHardLimit() throws Exception {
    BlockingQueue<Long> step = new LinkedBlockingQueue<>();
    tasks("worker", task -> {
      while (true) {
        task.progress(Map.of("tick", step.take()));
      }
    });
    TaskHandle h = requester().assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);
    for (long i = 1; i <= 3; i++) {
      time.advance(Duration.ofSeconds(8));
      step.add(i);
      long tick = i;
      await(() -> Long.valueOf(tick).equals(h.lastProgress().get("tick")));
      if (i == 1) {
        assertThat(h.deadline()).isEqualTo(h.assignedAt().plusSeconds(18));
      }
    }
    // at 16 s and 24 s the reports could only extend to the hard limit, 25 s
    assertThat(h.deadline()).isEqualTo(h.assignedAt().plusSeconds(25));
    time.advance(Duration.ofMillis(999));
    assertThat(h.outcome()).isNotDone();
    time.advance(Duration.ofMillis(1));
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.DEADLINE_PASSED);
    assertThat(o.error()).contains("hard limit");
  }

  @Test
  void cancelInterruptsTheHandlerAndTheLateEndingIsCountedNotDeadLettered() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Tasks worker = tasks("worker", task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        assertThat(task.cancelReason()).contains("changed my mind");
        interrupted.countDown();
        throw e;
      }
      return Map.of();
    });
    Tasks requester = requester();
    TaskHandle h = requester.assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);

    assertThat(h.cancel("changed my mind")).isTrue();
    assertThat(h.cancel("again")).isFalse();
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.CANCELED);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.CANCELED);
    assertThat(interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> requester.ignoredMessages() == 1); // the assignee's task_failed "canceled"
    await(() -> worker.runningTasks() == 0);
    assertThat(requester.openTasks()).isZero();
    assertThat(bus.stats().toString()).isNotNull();
  }

  @Test
  void aHandlerThatPollsSeesTheCancelWithoutAnInterrupt() throws Exception {
    CountDownLatch polled = new CountDownLatch(1);
    Tasks worker = Tasks.builder(bus, "poller").options(SHORT).interruptOnCancel(false)
        .handler(task -> {
          while (!task.isCanceled()) {
            Thread.onSpinWait();
          }
          assertThat(Thread.currentThread().isInterrupted()).isFalse();
          polled.countDown();
          task.throwIfCanceled();
          return Map.of();
        }).build().listen();
    closing.add(worker);
    TaskHandle h = requester().assign("poller", Map.of());
    awaitState(h, TaskState.WORKING);
    h.cancel("stop");
    assertThat(polled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> worker.runningTasks() == 0);
  }

  @Test
  void anAssigneeThatFallsSilentIsLostByTheMonitorsRule() throws Exception {
    tasks("worker", task -> {
      new CountDownLatch(1).await();
      return Map.of();
    });
    Tasks requester = requester();
    TaskHandle h = requester.assign("worker",
        Map.of(), SHORT.toBuilder().timeout(Duration.ofSeconds(25)).build());
    awaitState(h, TaskState.WORKING);
    // heartbeats keep it alive past the silence limit of a long task
    TaskHandle longTask = requester.assign("worker", Map.of(),
        TaskOptions.builder().timeout(Duration.ofMinutes(10)).hardLimit(Duration.ofHours(1))
            .assigneeSilenceLimit(Duration.ofSeconds(90)).build());
    awaitState(longTask, TaskState.WORKING);
    for (int s = 30; s <= 120; s += 30) {
      time.advance(Duration.ofSeconds(30));
      heartbeat(requester, "worker");
    }
    assertThat(longTask.outcome()).isNotDone();
    time.advance(Duration.ofSeconds(89)); // last heartbeat at 120 s; lost at 210 s
    assertThat(longTask.outcome()).isNotDone();
    time.advance(Duration.ofSeconds(1));
    TaskOutcome o = longTask.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.ASSIGNEE_LOST);
    assertThat(o.error()).contains("'worker' sent nothing");
    assertThat(h.outcome().get().reason()).isEqualTo(TaskOutcome.Reason.DEADLINE_PASSED);
  }

  @Test
  void anAssigneeThatBroadcastsOfflineIsLostAtOnce() throws Exception {
    tasks("worker", task -> {
      new CountDownLatch(1).await();
      return Map.of();
    });
    TaskHandle h = requester().assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);
    bus.endpoint("worker").broadcast(MessageType.STATUS_UPDATE,
        Map.of("status", "offline", "reason", "failed", "error", "boom"));
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.ASSIGNEE_LOST);
    assertThat(o.error()).isEqualTo("'worker' went offline (failed)");
  }

  @Test
  void aRequesterThatGoesOfflineCancelsItsTasks() throws Exception {
    CountDownLatch canceled = new CountDownLatch(1);
    Tasks worker = tasks("worker", task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        assertThat(task.cancelReason()).isEqualTo(
            "the requester 'orchestrator' went offline (stopped)");
        canceled.countDown();
      }
      task.throwIfCanceled();
      return Map.of();
    });
    TaskHandle h = requester().assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);
    bus.endpoint("orchestrator").broadcast(MessageType.STATUS_UPDATE,
        Map.of("status", "offline", "reason", "stopped"));
    assertThat(canceled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> worker.runningTasks() == 0);
  }

  @Test
  void aRequesterThatStopsHeartbeatingIsGoneAfterTheSilenceLimit() throws Exception {
    CountDownLatch canceled = new CountDownLatch(1);
    Tasks worker = tasks("worker", task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        canceled.countDown();
      }
      return Map.of();
    });
    Tasks requester = requester();
    TaskHandle h = requester.assign("worker", Map.of(),
        SHORT.toBuilder().hardLimit(Duration.ofHours(1)).timeout(Duration.ofHours(1)).build());
    awaitState(h, TaskState.WORKING);
    heartbeat(worker, "orchestrator");
    time.advance(Duration.ofSeconds(89));
    assertThat(canceled.getCount()).isEqualTo(1);
    time.advance(Duration.ofSeconds(92)); // the watch runs every 90 s; the second one sees 180 s
    assertThat(canceled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anAssignmentNobodyServesIsNotAccepted() throws Exception {
    TaskHandle h = requester().assign("nobody", Map.of());
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.FAILED);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.NOT_ACCEPTED);
    assertThat(o.error()).isEqualTo("no agent 'nobody' takes task_assignment messages");
  }

  @Test
  void aHandlerThatThrowsFailsTheTaskWithItsError() throws Exception {
    tasks("worker", task -> {
      throw new IllegalStateException("no parser for " + task.input().get("lang"));
    });
    TaskOutcome o = requester().assign("worker", Map.of("lang", "cobol")).outcome()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.FAILED);
    assertThat(o.reason()).isEqualTo(TaskOutcome.Reason.ASSIGNEE_FAILED);
    assertThat(o.error()).isEqualTo("IllegalStateException: no parser for cobol");
  }

  @Test
  void theAssigneeAsksForInputAndGoesOnWithTheAnswer() throws Exception {
    tasks("worker", task -> {
      Map<String, Object> answer = task.requestInput(Map.of("question", "which format?"), WAIT);
      return Map.of("format", answer.get("format"));
    });
    TaskHandle h = requester().assign("worker", Map.of());
    awaitState(h, TaskState.INPUT_REQUIRED);
    assertThat(h.question()).isEqualTo(Map.of("question", "which format?"));
    h.provideInput(Map.of("format", "json"));
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.result()).isEqualTo(Map.of("format", "json"));
    assertThatThrownBy(() -> h.provideInput(Map.of())).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has ended (completed)");
  }

  @Test
  void closingTheRequesterCancelsItsOpenTasksOnTheAssignee() throws Exception {
    CountDownLatch canceled = new CountDownLatch(1);
    tasks("worker", task -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        assertThat(task.cancelReason()).contains("the requester 'boss' closed");
        canceled.countDown();
      }
      return Map.of();
    });
    Tasks boss = Tasks.builder(bus, "boss").build().listen();
    TaskHandle h = boss.assign("worker", Map.of());
    awaitState(h, TaskState.WORKING);
    boss.close();
    assertThat(h.outcome().get().reason()).isEqualTo(TaskOutcome.Reason.REQUESTER_CLOSED);
    assertThat(canceled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> boss.assign("worker", Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'boss' are closed");
  }

  @Test
  void badInputIsRefusedWithClearErrors() {
    Tasks r = requester();
    assertThatThrownBy(() -> r.assign("worker", Map.of("task_id", "mine")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a task_id");
    assertThatThrownBy(() -> TaskOptions.builder().timeout(Duration.ofHours(2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout PT2H exceeds hardLimit PT1H");
    assertThatThrownBy(() -> TaskOptions.builder().progressExtension(Duration.ZERO))
        .hasMessageContaining("progressExtension must be positive");
  }

  /** Broadcasts a heartbeat from {@code from} and waits until {@code listener} heard it. */
  private void heartbeat(Tasks listener, String from) throws Exception {
    long before = listener.heartbeatsSeen(from);
    bus.endpoint(from).broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));
    await(() -> listener.heartbeatsSeen(from) > before
        && time.now().equals(listener.lastHeard(from)));
  }

  private static void awaitState(TaskHandle h, TaskState state) throws Exception {
    await(() -> h.state() == state);
  }

  private static void await(BooleanSupplier condition) throws Exception {
    Conditions.await(condition, WAIT, "the condition this test waits for");
  }
}
