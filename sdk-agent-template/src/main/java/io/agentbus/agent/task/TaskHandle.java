package io.agentbus.agent.task;

import io.agentbus.time.Scheduler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task as its requester sees it, from {@link Tasks#assign}: its state, the latest progress, the
 * assignee's question while it waits for input, the deadline, and the {@linkplain #outcome()
 * outcome} once it ends.
 *
 * <p>Thread-safe. {@linkplain #onUpdate Listeners} run on the thread that changed the task (a
 * delivery thread or the scheduler's), after the change; keep them quick.
 */
public final class TaskHandle {
  private static final Logger log = LoggerFactory.getLogger(TaskHandle.class);
  static final String ATTEMPT = "attempt";

  private final String taskId;
  private final @Nullable String queue;
  private final Instant assignedAt;
  private final TaskOptions options;
  private final Requests owner;
  private final CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
  private final List<Consumer<TaskHandle>> listeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  // guarded by lock
  private TaskState state = TaskState.SUBMITTED;
  private @Nullable String assignee;
  private int attempts = 1;
  private Instant deadline;
  private Map<String, @Nullable Object> progress = Map.of();
  private @Nullable Map<String, @Nullable Object> question;
  private Scheduler.@Nullable Cancellable deadlineTimer;
  private Scheduler.@Nullable Cancellable silenceTimer;

  /** What the requester's {@link Tasks} does for a handle. */
  interface Requests {
    void sendCancel(TaskHandle task, String reason);

    void sendInput(TaskHandle task, Map<String, ? extends @Nullable Object> input);

    void ended(TaskHandle task);
  }

  TaskHandle(String taskId, @Nullable String assignee, @Nullable String queue, Instant assignedAt,
      TaskOptions options, Requests owner) {
    this.taskId = taskId;
    this.assignee = assignee;
    this.queue = queue;
    this.assignedAt = assignedAt;
    this.options = options;
    this.owner = owner;
    this.deadline = assignedAt.plus(options.timeout());
  }

  /** The task's id ({@code task_id} on the wire). */
  public String taskId() {
    return taskId;
  }

  /**
   * The agent working on the task: the one it was assigned to, or for a task assigned through a
   * {@linkplain #queue() queue}, the last worker that reported on it ({@code "<queue>"} in angle
   * brackets before any did).
   */
  public String assignee() {
    synchronized (lock) {
      return assignee != null ? assignee : "<" + queue + ">";
    }
  }

  /** The work queue the task was assigned through, or null for a direct assignment. */
  public @Nullable String queue() {
    return queue;
  }

  /**
   * How many times the task was started: 1, or for a task of a durable queue, the delivery count
   * the latest report named (it grows when an assignee died with the task unfinished).
   */
  public int attempts() {
    synchronized (lock) {
      return attempts;
    }
  }

  /** When it was assigned, by the requester's scheduler. */
  public Instant assignedAt() {
    return assignedAt;
  }

  /** The options it was assigned with. */
  public TaskOptions options() {
    return options;
  }

  /** Its current state. */
  public TaskState state() {
    synchronized (lock) {
      return state;
    }
  }

  /** The current deadline: pushed out by progress, never beyond the hard limit. */
  public Instant deadline() {
    synchronized (lock) {
      return deadline;
    }
  }

  /** The latest progress the assignee reported ({@code "progress"}), empty before any. */
  public Map<String, @Nullable Object> lastProgress() {
    synchronized (lock) {
      return progress;
    }
  }

  /** The assignee's question while the task is {@link TaskState#INPUT_REQUIRED}; else null. */
  public @Nullable Map<String, @Nullable Object> question() {
    synchronized (lock) {
      return state == TaskState.INPUT_REQUIRED ? question : null;
    }
  }

  /**
   * Completes once the task ends, with its outcome (completed, failed or canceled, and why). It
   * never completes exceptionally: every ending is an outcome. Cancelling the future does not
   * cancel the task; use {@link #cancel(String)}.
   */
  public CompletableFuture<TaskOutcome> outcome() {
    return outcome.thenApply(o -> o);
  }

  /**
   * Runs {@code listener} after each change of state, progress or question, and at the end. A
   * listener added once the task has ended runs at once, so the end is never missed (a task may
   * end before the requester adds its listener).
   */
  public TaskHandle onUpdate(Consumer<TaskHandle> listener) {
    Objects.requireNonNull(listener, "listener");
    boolean ended;
    synchronized (lock) {
      listeners.add(listener);
      ended = state.isTerminal();
    }
    if (ended) {
      tell(List.of(listener));
    }
    return this;
  }

  /**
   * Cancels the task: it ends {@link TaskState#CANCELED} at once, and the assignee is sent a
   * cancel ({@code status_update} with {@code "state": "canceled"}) that its handler sees.
   *
   * @return false if the task had already ended
   */
  public boolean cancel(String reason) {
    Objects.requireNonNull(reason, "reason");
    if (!end(TaskState.CANCELED, TaskOutcome.Reason.CANCELED, Map.of(),
        "canceled by the requester: " + reason)) {
      return false;
    }
    owner.sendCancel(this, reason);
    return true;
  }

  /**
   * Answers the assignee's question: sends {@code input} to it ({@code status_update} with {@code
   * "input"}); the task is {@link TaskState#WORKING} again.
   *
   * @throws IllegalStateException if the task has ended
   */
  public void provideInput(Map<String, ? extends @Nullable Object> input) {
    Objects.requireNonNull(input, "input");
    synchronized (lock) {
      if (state.isTerminal()) {
        throw new IllegalStateException("Task " + taskId + " on '" + assignee + "' has ended ("
            + state.wireName() + "); it takes no more input");
      }
      state = TaskState.WORKING;
      question = null;
    }
    owner.sendInput(this, input);
    fire();
  }

  @Override
  public String toString() {
    return "TaskHandle{" + taskId + " on " + assignee() + ", " + state().wireName() + "}";
  }

  // ------------------------------------------------------------------ from Tasks

  /** Whether {@code agent} may report on this task; a queue's task takes the reporting worker. */
  boolean acceptsReportFrom(String agent) {
    synchronized (lock) {
      if (queue != null && !state.isTerminal()) {
        assignee = agent;
        return true;
      }
      return agent.equals(assignee);
    }
  }

  /** Under a queue: forgets a lost worker, whose item the queue gives to another. */
  void workerLost() {
    synchronized (lock) {
      assignee = null;
    }
  }

  /** True until the task ends. */
  boolean isOpen() {
    synchronized (lock) {
      return !state.isTerminal();
    }
  }

  /** A {@code working} or {@code input-required} report: extends the deadline. */
  void reported(TaskState reported, Map<String, @Nullable Object> detail, Instant now,
      @Nullable Object attempt) {
    synchronized (lock) {
      if (state.isTerminal()) {
        return;
      }
      if (attempt instanceof Long n && n > attempts) {
        attempts = n.intValue();
      }
      state = reported;
      if (reported == TaskState.INPUT_REQUIRED) {
        question = detail;
      } else if (!detail.isEmpty()) {
        progress = detail;
      }
      Instant extended = now.plus(options.progressExtension());
      Instant hard = assignedAt.plus(options.hardLimit());
      if (extended.isAfter(deadline)) {
        deadline = extended.isAfter(hard) ? hard : extended;
      }
    }
    fire();
  }

  void deadlineTimer(Scheduler.Cancellable timer) {
    synchronized (lock) {
      deadlineTimer = timer;
    }
  }

  void silenceTimer(Scheduler.Cancellable timer) {
    synchronized (lock) {
      silenceTimer = timer;
    }
  }

  /** Ends the task once; false if it had ended. */
  boolean end(TaskState terminal, TaskOutcome.Reason reason,
      Map<String, @Nullable Object> result, @Nullable String error) {
    Scheduler.@Nullable Cancellable d;
    Scheduler.@Nullable Cancellable s;
    List<Consumer<TaskHandle>> toldOfTheEnd;
    synchronized (lock) {
      if (state.isTerminal()) {
        return false;
      }
      state = terminal;
      // those added from now on are told by onUpdate itself
      toldOfTheEnd = List.copyOf(listeners);
      question = null;
      d = deadlineTimer;
      s = silenceTimer;
      deadlineTimer = null;
      silenceTimer = null;
    }
    if (d != null) {
      d.cancel();
    }
    if (s != null) {
      s.cancel();
    }
    TaskOutcome o = new TaskOutcome(taskId, assignee(), terminal, reason, result, error);
    if (terminal == TaskState.COMPLETED) {
      log.debug("Task {} on '{}' completed", taskId, o.assignee());
    } else {
      log.info("Task {} on '{}' ended {} ({}): {}", taskId, o.assignee(), terminal.wireName(), reason,
          error);
    }
    owner.ended(this);
    tell(toldOfTheEnd);
    outcome.complete(o);
    return true;
  }

  private void fire() {
    tell(listeners);
  }

  private void tell(List<Consumer<TaskHandle>> toTell) {
    for (Consumer<TaskHandle> l : toTell) {
      try {
        l.accept(this);
      } catch (RuntimeException e) {
        log.warn("A listener of task {} threw; the task goes on", taskId, e);
      }
    }
  }
}
