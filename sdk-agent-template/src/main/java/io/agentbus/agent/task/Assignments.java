package io.agentbus.agent.task;

import static io.agentbus.agent.task.Tasks.ATTEMPT;
import static io.agentbus.agent.task.Tasks.STATE;
import static io.agentbus.agent.task.Tasks.TASK_ID;

import io.agentbus.AgentBusException;
import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assignee's side of an agent's {@link Tasks}: runs its {@link TaskHandler} for each
 * assignment (direct, on the executor; from a work queue, on the queue's thread), reports, and
 * cancels on the requester's word or departure.
 */
final class Assignments {
  private static final Logger log = LoggerFactory.getLogger(Tasks.class);

  private final Tasks owner;
  private final String agentId;
  private final AgentEndpoint endpoint;
  private final Scheduler scheduler;
  private final @Nullable TaskHandler handler;
  private final Executor executor;
  private final boolean interruptOnCancel;
  private final Duration silenceLimit;
  private final @Nullable String queueName;
  private final Map<String, RunningTask> running = new ConcurrentHashMap<>();

  Assignments(Tasks owner, String agentId, AgentEndpoint endpoint, Scheduler scheduler,
      @Nullable TaskHandler handler, Executor executor, boolean interruptOnCancel,
      Duration silenceLimit, @Nullable String queueName) {
    this.owner = owner;
    this.agentId = agentId;
    this.endpoint = endpoint;
    this.scheduler = scheduler;
    this.handler = handler;
    this.executor = executor;
    this.interruptOnCancel = interruptOnCancel;
    this.silenceLimit = silenceLimit;
    this.queueName = queueName;
  }

  int count() {
    return running.size();
  }

  /** Cancels the tasks {@code requester} assigned here. */
  void requesterGone(String requester, String why) {
    for (RunningTask task : running.values()) {
      if (task.requester().equals(requester)) {
        task.cancel("the requester " + why, interruptOnCancel);
      }
    }
  }

  /** Cancels every task running here. */
  void cancelAll(String reason) {
    for (RunningTask task : running.values()) {
      task.cancel(reason, interruptOnCancel);
    }
  }

  /**
   * A task from the work queue: run on the queue's worker thread, so that the item is
   * acknowledged only once the task ended (and comes back if this process dies first).
   */
  void onQueuedAssignment(Delivery d) {
    AgentMessage m = d.message();
    String taskId = Tasks.taskIdOf(m);
    if (taskId == null) {
      throw new AgentBusException("task_assignment from '" + m.fromAgent() + "' on queue '"
          + queueName + "' has no task_id in its content (docs/wire-format.md, Tasks)");
    }
    owner.checkOpen();
    owner.heard(m.fromAgent());
    Map<String, @Nullable Object> input = new LinkedHashMap<>(m.content());
    input.remove(TASK_ID);
    RunningTask task = new RunningTask(taskId, m.fromAgent(), java.util.Collections
        .unmodifiableMap(input), reports, Math.max(1, d.deliveryCount()));
    if (running.putIfAbsent(taskId, task) != null) {
      log.info("Task {} from '{}' came again from queue '{}' while it runs here; this copy is "
          + "acknowledged, the running one goes on", taskId, m.fromAgent(), queueName);
      return;
    }
    watchRequester(task);
    perform(task);
  }

  void onAssignment(Delivery d) {
    AgentMessage m = d.message();
    String taskId = Tasks.taskIdOf(m);
    if (taskId == null) {
      throw new AgentBusException("task_assignment from '" + m.fromAgent() + "' to '" + agentId
          + "' has no task_id in its content; a task needs one (docs/wire-format.md, Tasks)");
    }
    owner.checkOpen();
    owner.heard(m.fromAgent());
    Map<String, @Nullable Object> input = new LinkedHashMap<>(m.content());
    input.remove(TASK_ID);
    RunningTask task = new RunningTask(taskId, m.fromAgent(), java.util.Collections
        .unmodifiableMap(input), reports, 1);
    RunningTask before = running.putIfAbsent(taskId, task);
    if (d.isRequest()) {
      d.reply(agentId, MessageType.STATUS_UPDATE, Map.of(TASK_ID, taskId,
          STATE, before == null ? TaskState.SUBMITTED.wireName() : TaskState.WORKING.wireName()));
    }
    if (before != null) {
      log.info("Task {} from '{}' is already running here; the repeated assignment is "
          + "acknowledged and not run again", taskId, m.fromAgent());
      return;
    }
    watchRequester(task); // on the clock before the handler reports anything
    executor.execute(() -> perform(task));
  }

  private void perform(RunningTask task) {
    task.runsOn(Thread.currentThread());
    Map<String, @Nullable Object> ending;
    MessageType type;
    try {
      task.progress(Map.of());
      Map<String, ? extends @Nullable Object> result = Objects.requireNonNull(handler)
          .perform(task);
      if (result == null) {
        throw new AgentBusException("The task handler of '" + agentId + "' returned null for "
            + "task " + task.taskId() + "; return the result (maybe empty)");
      }
      type = MessageType.TASK_COMPLETE;
      ending = Map.of(TASK_ID, task.taskId(), STATE, TaskState.COMPLETED.wireName(),
          "result", result);
    } catch (Throwable e) {
      boolean canceled = task.isCanceled()
          && (e instanceof TaskCanceledException || e instanceof InterruptedException);
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      if (canceled || e instanceof TaskCanceledException) {
        log.info("Task {} from '{}' was canceled: {}", task.taskId(), task.requester(),
            task.cancelReason() != null ? task.cancelReason() : e.getMessage());
      } else {
        log.warn("Task {} from '{}' failed", task.taskId(), task.requester(), e);
      }
      type = MessageType.TASK_FAILED;
      String reason = task.cancelReason();
      ending = Map.of(TASK_ID, task.taskId(),
          STATE, (canceled || e instanceof TaskCanceledException ? TaskState.CANCELED
              : TaskState.FAILED).wireName(),
          "error", canceled && reason != null ? "canceled: " + reason
              : e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      task.runsOn(null);
      Thread.interrupted(); // a cancel's interrupt must not reach the pool's next task
      running.remove(task.taskId(), task);
    }
    owner.sendQuietly(task.requester(), type, ending);
  }

  private final RunningTask.Reports reports = new RunningTask.Reports() {
    @Override
    public void working(RunningTask task, Map<String, ? extends @Nullable Object> progress) {
      endpoint.send(task.requester(), MessageType.STATUS_UPDATE, Map.of(TASK_ID, task.taskId(),
          STATE, TaskState.WORKING.wireName(), "progress", progress,
          ATTEMPT, (long) task.attempt()));
    }

    @Override
    public void inputRequired(RunningTask task,
        Map<String, ? extends @Nullable Object> question) {
      endpoint.send(task.requester(), MessageType.STATUS_UPDATE, Map.of(TASK_ID, task.taskId(),
          STATE, TaskState.INPUT_REQUIRED.wireName(), "question", question,
          ATTEMPT, (long) task.attempt()));
    }
  };

  /** A cancel or input from a requester, addressed to this agent as assignee. */
  void fromRequester(AgentMessage m, String taskId) {
    RunningTask task = running.get(taskId);
    if (task == null || !task.requester().equals(m.fromAgent())) {
      owner.ignore(m, taskId);
      return;
    }
    Map<String, @Nullable Object> c = m.content();
    if (c.containsKey("input")) {
      task.input(Tasks.mapOf(c.get("input")));
    } else {
      Object reason = c.get("reason");
      task.cancel("canceled by '" + m.fromAgent() + "'" + (reason != null ? ": " + reason : ""),
          interruptOnCancel);
    }
  }

  private void watchRequester(RunningTask task) {
    Duration limit = silenceLimit;
    scheduler.schedule(limit, () -> {
      if (running.get(task.taskId()) != task) {
        return;
      }
      Instant heard = owner.lastHeardOr(task.requester(), scheduler.now());
      Instant goneAt = heard.plus(limit);
      if (!owner.isHeartbeating(task.requester()) || scheduler.now().isBefore(goneAt)) {
        watchRequester(task);
        return;
      }
      task.cancel("the requester '" + task.requester() + "' sent no heartbeat since " + heard,
          interruptOnCancel);
    });
  }
}
