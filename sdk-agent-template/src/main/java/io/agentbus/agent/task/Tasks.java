package io.agentbus.agent.task;

import io.agentbus.AgentBusException;
import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.Subjects;
import io.agentbus.Subscription;
import io.agentbus.agent.Handlers;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-running tasks for one agent, in both roles: as requester it {@linkplain #assign assigns}
 * tasks and tracks them through {@link TaskHandle}s; as assignee it runs its {@link TaskHandler}
 * for each {@code task_assignment} it receives.
 *
 * <pre>{@code
 * // in an AbstractAgent
 * protected void configure(Handlers h) {
 *   tasks = closeOnStop(Tasks.builder(bus(), id()).handler(this::review).build());
 *   tasks.declare(h);
 * }
 * // elsewhere, as requester
 * TaskHandle t = tasks.assign("reviewer-001", Map.of("file", "parser.py"));
 * TaskOutcome o = t.outcome().get();
 * }</pre>
 *
 * <p><b>On the wire</b> (the seed's envelope and types; {@code docs/wire-format.md}, section
 * <em>Tasks</em>): the assignment is a request of type {@code task_assignment} to the assignee's
 * direct subject, with {@code "task_id"} in its content; the assignee acknowledges with a {@code
 * status_update} {@code "state": "submitted"} reply and then sends the requester direct {@code
 * status_update}s ({@code working} with {@code progress}, {@code input-required} with {@code
 * question}) and finally {@code task_complete} ({@code result}) or {@code task_failed} ({@code
 * error}, {@code "state": "failed"} or {@code "canceled"}). The requester sends the assignee {@code
 * status_update}s with {@code "state": "canceled"} (cancel) or {@code "input"}. Every one carries
 * {@code task_id} in its content and in the {@code AgentBus-Task-Id} header.
 *
 * <p><b>Endings</b> on the requester's side: see {@link TaskOutcome.Reason}. The deadline and the
 * assignee's silence are measured on the {@linkplain Builder#scheduler scheduler} (virtual time in
 * tests). An agent counts as heard from on its heartbeats and on any task message it sends; one
 * that broadcasts {@code status_update} {@code "status": "offline"} is gone at once.
 *
 * <p><b>On the assignee's side</b> each task runs on a thread of its own. A cancel from the
 * requester, the requester going away (its offline broadcast, or silence for {@link
 * TaskOptions#assigneeSilenceLimit()} after it was heard heartbeating) or {@link #close()} marks
 * the task canceled ({@link TaskContext#isCanceled()}) and, unless {@linkplain
 * Builder#interruptOnCancel turned off}, interrupts the handler's thread.
 *
 * <p>Thread-safe.
 */
public final class Tasks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tasks.class);

  static final String TASK_ID = "task_id";
  static final String STATE = "state";
  static final String ATTEMPT = "attempt";

  private final MessageBus bus;
  private final String agentId;
  private final AgentEndpoint endpoint;
  private final Scheduler scheduler;
  private final TaskOptions defaults;
  private final @Nullable TaskHandler handler;
  private final ExecutorService executor;
  private final boolean ownExecutor;
  private final boolean interruptOnCancel;
  private final MessageHandler otherStatusUpdates;
  private final Duration closeTimeout;
  private final @Nullable String queueName;
  private final int queueWorkers;

  private final Map<String, TaskHandle> assigned = new ConcurrentHashMap<>();
  private final Assignments assignments;
  private final Map<String, Instant> lastHeard = new ConcurrentHashMap<>();
  private final Map<String, Long> heartbeating = new ConcurrentHashMap<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean closed;

  private Tasks(Builder b) {
    this.bus = b.bus;
    this.agentId = b.agentId;
    this.endpoint = bus.endpoint(agentId);
    this.scheduler = b.scheduler != null ? b.scheduler : bus.scheduler();
    this.defaults = b.options;
    this.handler = b.handler;
    this.ownExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor : newExecutor(agentId);
    this.interruptOnCancel = b.interruptOnCancel;
    this.otherStatusUpdates = b.otherStatusUpdates != null ? b.otherStatusUpdates
        : this::refuseStatusUpdate;
    this.closeTimeout = b.closeTimeout;
    this.queueName = b.queueName;
    this.queueWorkers = b.queueWorkers;
    this.assignments = new Assignments(this, agentId, endpoint, scheduler, handler, executor,
        interruptOnCancel, defaults.assigneeSilenceLimit(), queueName);
  }

  /**
   * A builder for the tasks of agent {@code agentId} on {@code bus}.
   *
   * @throws io.agentbus.InvalidSubjectException if {@code agentId} is not a subject token
   */
  public static Builder builder(MessageBus bus, String agentId) {
    return new Builder(Objects.requireNonNull(bus, "bus"),
        Subjects.requireToken("agent id", agentId));
  }

  /** The agent these tasks belong to. */
  public String agentId() {
    return agentId;
  }

  /**
   * Declares this agent's task messages in an {@link io.agentbus.agent.AbstractAgent}'s {@code
   * configure}: {@code task_assignment} (when a handler is set), {@code status_update}, {@code
   * task_complete} and {@code task_failed} addressed to it. A {@code status_update} without {@code
   * task_id} goes to {@link Builder#otherStatusUpdates}.
   */
  public void declare(Handlers handlers) {
    for (Map.Entry<MessageType, MessageHandler> e : directHandlers().entrySet()) {
      handlers.on(e.getKey(), e.getValue());
    }
    if (handler != null && queueName != null) {
      handlers.onQueue(queueName, queueWorkers, assignments::onQueuedAssignment);
    }
  }

  /**
   * Subscribes this agent's task messages itself, for use without an {@code AbstractAgent} (whose
   * own subscription to {@code <ns>.agent.<id>.*} would see them too; there, use {@link
   * #declare}). One subscription to {@code <ns>.agent.<id>.*} takes them all, so that a task's
   * reports are handled in the order they were sent (a progress report before the completion);
   * direct messages of other types are left to the agent's other subscriptions. Ends with {@link
   * #close()}.
   */
  public Tasks listen() {
    checkOpen();
    Map<MessageType, MessageHandler> handlers = directHandlers();
    Subscription s = bus.subscribeToAgentMessages(agentId, d -> {
      MessageHandler h = handlers.get(d.message().messageType());
      if (h != null) {
        h.onMessage(d);
      }
    });
    synchronized (subscriptions) {
      subscriptions.add(s);
    }
    serveQueue();
    return this;
  }

  /** Under lock of subscriptions: the work queue subscription of {@link Builder#serveQueue}. */
  private void serveQueue() {
    if (handler != null && queueName != null) {
      Subscription s = bus.createWorkQueue(queueName, assignments::onQueuedAssignment, queueWorkers);
      synchronized (subscriptions) {
        subscriptions.add(s);
      }
    }
  }

  private Map<MessageType, MessageHandler> directHandlers() {
    Map<MessageType, MessageHandler> m = new LinkedHashMap<>();
    if (handler != null) {
      m.put(MessageType.TASK_ASSIGNMENT, assignments::onAssignment);
    }
    m.put(MessageType.STATUS_UPDATE, this::onStatusUpdate);
    m.put(MessageType.TASK_COMPLETE, this::onEnded);
    m.put(MessageType.TASK_FAILED, this::onEnded);
    return m;
  }

  // ------------------------------------------------------------------ requester

  /** {@link #assign(String, Map, TaskOptions)} with the default options. */
  public TaskHandle assign(String assignee, Map<String, ? extends @Nullable Object> content) {
    return assign(assignee, content, defaults);
  }

  /**
   * Assigns a task to {@code assignee}: sends it a {@code task_assignment} request with {@code
   * content} and a fresh {@code task_id}, and returns at once. The handle's outcome says how it
   * ended; an assignee that does not acknowledge within {@link TaskOptions#acceptTimeout()}, or
   * that nobody serves, ends it {@link TaskOutcome.Reason#NOT_ACCEPTED}.
   *
   * @throws IllegalArgumentException if {@code content} already has a {@code task_id}
   * @throws IllegalStateException once closed
   */
  public TaskHandle assign(String assignee, Map<String, ? extends @Nullable Object> content,
      TaskOptions options) {
    return assign(assignee, content, options, null);
  }

  /**
   * {@link #assign(String, Map, TaskOptions)} with a listener {@linkplain TaskHandle#onUpdate
   * registered} before the assignment goes out, so that it sees every report, even of a task that
   * ends before this method returns.
   */
  public TaskHandle assign(String assignee, Map<String, ? extends @Nullable Object> content,
      TaskOptions options, java.util.function.@Nullable Consumer<TaskHandle> onUpdate) {
    Subjects.requireToken("assignee", assignee);
    TaskHandle task = open(assignee, null, content, options, onUpdate);
    Instant now = task.assignedAt();
    lastHeard.merge(assignee, now, Tasks::later);
    task.silenceTimer(scheduler.schedule(options.assigneeSilenceLimit(),
        () -> checkSilence(task)));
    AgentMessage m = assignment(task, content).toAgent(assignee)
        .correlationId(agentId + "-" + now.toEpochMilli() + "-t" + sequence.incrementAndGet())
        .build();
    bus.requestAsync(bus.subjects().direct(assignee, MessageType.TASK_ASSIGNMENT), m,
        options.acceptTimeout()).whenComplete((reply, error) -> accepted(task, reply, error));
    log.debug("Assigned task {} to '{}'", task.taskId(), assignee);
    return task;
  }

  /** A new open task, on the clock for its deadline, its listener registered. */
  private TaskHandle open(@Nullable String assignee, @Nullable String queue,
      Map<String, ? extends @Nullable Object> content, TaskOptions options,
      java.util.function.@Nullable Consumer<TaskHandle> onUpdate) {
    checkOpen();
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(options, "options");
    if (content.containsKey(TASK_ID)) {
      throw new IllegalArgumentException("The content of a task for "
          + (queue != null ? "queue '" + queue + "'" : "'" + assignee + "'")
          + " already has a task_id (" + content.get(TASK_ID) + "); Tasks sets it");
    }
    TaskHandle task = new TaskHandle(agentId + "-" + UUID.randomUUID(), assignee, queue,
        scheduler.now(), options, requests);
    if (onUpdate != null) {
      task.onUpdate(onUpdate);
    }
    assigned.put(task.taskId(), task);
    task.deadlineTimer(scheduler.schedule(options.timeout(), () -> checkDeadline(task)));
    return task;
  }

  private AgentMessage.Builder assignment(TaskHandle task,
      Map<String, ? extends @Nullable Object> content) {
    Map<String, @Nullable Object> body = new LinkedHashMap<>(content);
    body.put(TASK_ID, task.taskId());
    return AgentMessage.builder().fromAgent(agentId).messageType(MessageType.TASK_ASSIGNMENT)
        .content(body).timestamp(task.assignedAt());
  }

  /**
   * Assigns a task through the work queue {@code queueName}: one worker of the queue ({@link
   * Builder#serveQueue}) takes it. On a {@linkplain io.agentbus.QueueOptions#durable() durable}
   * queue the task survives its worker: a worker that dies with the task unfinished leaves it to
   * be delivered again (after the queue's ack wait), and the next worker's reports carry the
   * attempt ({@link TaskHandle#attempts()}). The task id is the item's message id, so publishing
   * is de-duplicated. A worker that goes offline is not a lost task here; the deadline still
   * applies.
   *
   * @throws IllegalArgumentException if {@code content} already has a {@code task_id}
   * @throws IllegalStateException once closed
   */
  public TaskHandle assignToQueue(String queueName, Map<String, ? extends @Nullable Object> content,
      TaskOptions options, java.util.function.@Nullable Consumer<TaskHandle> onUpdate) {
    Subjects.requireToken("queue name", queueName);
    TaskHandle task = open(null, queueName, content, options, onUpdate);
    bus.publishToQueueAsync(queueName, assignment(task, content).build(), task.taskId())
        .whenComplete((receipt, error) -> {
          if (error != null) {
            task.end(TaskState.FAILED, TaskOutcome.Reason.NOT_ACCEPTED, Map.of(),
                "the queue '" + queueName + "' did not take the task: " + error);
          }
        });
    return task;
  }

  /** The tasks this agent assigned that have not ended. */
  public int openTasks() {
    return assigned.size();
  }

  /** The tasks this agent is running as assignee. */
  public int runningTasks() {
    return assignments.count();
  }

  /**
   * Task messages addressed to this agent for a task it does not know (a report after the task
   * ended, say): logged at debug and counted here, not dead-lettered.
   */
  public long ignoredMessages() {
    return ignored.get();
  }

  private void accepted(TaskHandle task, @Nullable AgentMessage reply, @Nullable Throwable error) {
    if (error == null) {
      heard(task.assignee());
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    String why;
    if (cause instanceof NoRespondersException) {
      why = "no agent '" + task.assignee() + "' takes task_assignment messages";
    } else if (cause instanceof RequestTimeoutException) {
      why = "'" + task.assignee() + "' did not acknowledge the assignment within "
          + task.options().acceptTimeout();
    } else if (cause instanceof RemoteHandlerException) {
      why = "'" + task.assignee() + "' refused the assignment: " + cause.getMessage();
    } else {
      why = "the assignment to '" + task.assignee() + "' failed: " + cause;
    }
    task.end(TaskState.FAILED, TaskOutcome.Reason.NOT_ACCEPTED, Map.of(), why);
  }

  private void checkDeadline(TaskHandle task) {
    if (!task.isOpen()) {
      return;
    }
    Instant now = scheduler.now();
    Instant deadline = task.deadline();
    if (now.isBefore(deadline)) {
      task.deadlineTimer(scheduler.schedule(Duration.between(now, deadline),
          () -> checkDeadline(task)));
      return;
    }
    boolean hard = !deadline.isBefore(task.assignedAt().plus(task.options().hardLimit()));
    String why = hard ? "the hard limit of " + task.options().hardLimit() + " passed"
        : "no progress from '" + task.assignee() + "' extended the deadline " + deadline;
    if (task.end(TaskState.FAILED, TaskOutcome.Reason.DEADLINE_PASSED, Map.of(), why)) {
      sendCancel(task, "deadline passed: " + why);
    }
  }

  private void checkSilence(TaskHandle task) {
    if (!task.isOpen()) {
      return;
    }
    Instant now = scheduler.now();
    Instant heard = lastHeard.getOrDefault(task.assignee(), task.assignedAt());
    Instant lostAt = heard.plus(task.options().assigneeSilenceLimit());
    if (now.isBefore(lostAt)) {
      task.silenceTimer(scheduler.schedule(Duration.between(now, lostAt),
          () -> checkSilence(task)));
      return;
    }
    task.end(TaskState.FAILED, TaskOutcome.Reason.ASSIGNEE_LOST, Map.of(),
        "'" + task.assignee() + "' sent nothing (no heartbeat, no report) since " + heard
            + ", for " + task.options().assigneeSilenceLimit());
  }

  private void sendCancel(TaskHandle task, String reason) {
    sendQuietly(task.assignee(), MessageType.STATUS_UPDATE, Map.of(TASK_ID, task.taskId(),
        STATE, TaskState.CANCELED.wireName(), "reason", reason));
  }

  private final TaskHandle.Requests requests = new TaskHandle.Requests() {
    @Override
    public void sendCancel(TaskHandle task, String reason) {
      Tasks.this.sendCancel(task, reason);
    }

    @Override
    public void sendInput(TaskHandle task, Map<String, ? extends @Nullable Object> input) {
      endpoint.send(task.assignee(), MessageType.STATUS_UPDATE,
          Map.of(TASK_ID, task.taskId(), "input", input));
    }

    @Override
    public void ended(TaskHandle task) {
      assigned.remove(task.taskId(), task);
    }
  };

  /** A report or ending from an assignee, addressed to this agent as requester. */
  private void fromAssignee(AgentMessage m, String taskId) {
    TaskHandle task = assigned.get(taskId);
    if (task == null || !task.acceptsReportFrom(m.fromAgent())) {
      ignore(m, taskId);
      return;
    }
    Map<String, @Nullable Object> c = m.content();
    MessageType type = m.messageType();
    if (type.equals(MessageType.TASK_COMPLETE)) {
      task.end(TaskState.COMPLETED, TaskOutcome.Reason.COMPLETED, mapOf(c.get("result")), null);
    } else if (type.equals(MessageType.TASK_FAILED)) {
      boolean canceled = TaskState.fromWire(c.get(STATE)) == TaskState.CANCELED;
      Object error = c.get("error");
      task.end(canceled ? TaskState.CANCELED : TaskState.FAILED,
          canceled ? TaskOutcome.Reason.ASSIGNEE_CANCELED : TaskOutcome.Reason.ASSIGNEE_FAILED,
          Map.of(), error != null ? error.toString() : "'" + m.fromAgent()
              + "' failed the task without saying why");
    } else {
      TaskState state = TaskState.fromWire(c.get(STATE));
      if (state == TaskState.INPUT_REQUIRED) {
        task.reported(state, mapOf(c.get("question")), scheduler.now(), c.get(ATTEMPT));
      } else if (state == TaskState.WORKING) {
        task.reported(state, mapOf(c.get("progress")), scheduler.now(), c.get(ATTEMPT));
      } else if (state != TaskState.SUBMITTED) {
        throw new AgentBusException("status_update of task " + taskId + " from '"
            + m.fromAgent() + "' has state " + c.get(STATE) + "; expected one of submitted, "
            + "working, input-required");
      }
    }
  }

  // ------------------------------------------------------------------ messages

  private void onStatusUpdate(Delivery d) throws Exception {
    AgentMessage m = d.message();
    String taskId = taskIdOf(m);
    if (taskId == null) {
      otherStatusUpdates.onMessage(d);
      return;
    }
    heard(m.fromAgent());
    Map<String, @Nullable Object> c = m.content();
    if (c.containsKey("input") || TaskState.fromWire(c.get(STATE)) == TaskState.CANCELED) {
      assignments.fromRequester(m, taskId);
    } else {
      fromAssignee(m, taskId);
    }
  }

  private void onEnded(Delivery d) {
    AgentMessage m = d.message();
    String taskId = taskIdOf(m);
    if (taskId == null) {
      throw new AgentBusException(m.messageType() + " from '" + m.fromAgent() + "' to '"
          + agentId + "' has no task_id in its content (docs/wire-format.md, Tasks)");
    }
    heard(m.fromAgent());
    fromAssignee(m, taskId);
  }

  private void refuseStatusUpdate(Delivery d) {
    AgentMessage m = d.message();
    throw new AgentBusException("status_update from '" + m.fromAgent() + "' to '" + agentId
        + "' has no task_id, and no handler takes other status updates; set one with "
        + "Tasks.Builder.otherStatusUpdates");
  }

  private void onBroadcast(Delivery d) {
    AgentMessage m = d.message();
    String from = m.fromAgent();
    if (m.messageType().equals(MessageType.HEARTBEAT)) {
      heard(from);
      heartbeating.merge(from, 1L, Long::sum);
      return;
    }
    if (!"offline".equals(m.content().get("status"))) {
      return;
    }
    Object reason = m.content().get("reason");
    String why = "'" + from + "' went offline" + (reason != null ? " (" + reason + ")" : "");
    for (TaskHandle task : assigned.values()) {
      if (!task.assignee().equals(from)) {
        continue;
      }
      if (task.queue() != null) {
        task.workerLost(); // its queue delivers the task again, to another worker
      } else {
        task.end(TaskState.FAILED, TaskOutcome.Reason.ASSIGNEE_LOST, Map.of(), why);
      }
    }
    assignments.requesterGone(from, why);
  }

  /** How many heartbeats of {@code agent} were seen, for tests. */
  long heartbeatsSeen(String agent) {
    return heartbeating.getOrDefault(agent, 0L);
  }

  /** When {@code agent} was last heard from, for tests; null if never. */
  @Nullable Instant lastHeard(String agent) {
    return lastHeard.get(agent);
  }

  Instant lastHeardOr(String agent, Instant otherwise) {
    return lastHeard.getOrDefault(agent, otherwise);
  }

  boolean isHeartbeating(String agent) {
    return heartbeating.containsKey(agent);
  }

  void heard(String agent) {
    lastHeard.merge(agent, scheduler.now(), Tasks::later);
  }

  void ignore(AgentMessage m, String taskId) {
    ignored.incrementAndGet();
    log.debug("Agent '{}' ignores a {} from '{}' for task {}, which it does not hold (it ended, "
        + "or was never here)", agentId, m.messageType(), m.fromAgent(), taskId);
  }

  void sendQuietly(String to, MessageType type, Map<String, ? extends @Nullable Object> c) {
    try {
      endpoint.send(to, type, c);
    } catch (RuntimeException e) {
      log.warn("Agent '{}' could not send {} {} to '{}'", agentId, type, c.get(TASK_ID), to, e);
    }
  }

  static @Nullable String taskIdOf(AgentMessage m) {
    Object id = m.content().get(TASK_ID);
    return id instanceof String s && !s.isEmpty() ? s : null;
  }

  @SuppressWarnings("unchecked")
  static Map<String, @Nullable Object> mapOf(@Nullable Object o) {
    return o instanceof Map<?, ?> map ? (Map<String, @Nullable Object>) map : Map.of();
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  // ------------------------------------------------------------------ lifecycle

  private Tasks start() {
    for (MessageType type : List.of(MessageType.HEARTBEAT, MessageType.STATUS_UPDATE)) {
      subscriptions.add(bus.subscribeToBroadcasts(type, this::onBroadcast));
    }
    return this;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("The tasks of agent '" + agentId + "' are closed");
    }
  }

  /**
   * Closes: the tasks this agent runs are canceled ("the assignee is stopping") and given up to
   * the {@linkplain Builder#closeTimeout close timeout} to send their ending; the tasks it assigned
   * end {@link TaskOutcome.Reason#REQUESTER_CLOSED} and their assignees are sent a cancel.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    assignments.cancelAll("the assignee '" + agentId + "' is stopping");
    if (ownExecutor) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("Agent '{}': {} task handler(s) did not end within {} of the cancel; "
              + "interrupting them", agentId, assignments.count(), closeTimeout);
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    for (TaskHandle task : assigned.values()) {
      if (task.end(TaskState.CANCELED, TaskOutcome.Reason.REQUESTER_CLOSED, Map.of(),
          "the requester '" + agentId + "' closed")) {
        sendCancel(task, "the requester '" + agentId + "' closed");
      }
    }
    synchronized (subscriptions) {
      for (Subscription s : subscriptions) {
        s.unsubscribe();
      }
      subscriptions.clear();
    }
  }

  @Override
  public String toString() {
    return "Tasks{" + agentId + ", assigned=" + assigned.size() + ", running="
        + assignments.count() + "}";
  }

  private static ExecutorService newExecutor(String agentId) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "agentbus-" + agentId + "-task-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Builds {@link Tasks}; not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private final String agentId;
    private @Nullable Scheduler scheduler;
    private TaskOptions options = TaskOptions.DEFAULTS;
    private @Nullable TaskHandler handler;
    private @Nullable ExecutorService executor;
    private boolean interruptOnCancel = true;
    private @Nullable MessageHandler otherStatusUpdates;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private @Nullable String queueName;
    private int queueWorkers;

    private Builder(MessageBus bus, String agentId) {
      this.bus = bus;
      this.agentId = agentId;
    }

    /** The clock for deadlines and silence; default the bus's scheduler. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The options of {@link #assign(String, Map)}; its {@link TaskOptions#assigneeSilenceLimit()}
     * is also how long a requester that heartbeats may go silent before its tasks here are
     * canceled. Default {@link TaskOptions#DEFAULTS}.
     */
    public Builder options(TaskOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** What this agent does with the tasks assigned to it; without one it takes none. */
    public Builder handler(TaskHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Where task handlers run; default a pool of daemon threads of this {@code Tasks}, shut down
     * by {@link #close()}. An executor given here is the caller's to shut down.
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Whether a cancel interrupts the handler's thread; default true. */
    public Builder interruptOnCancel(boolean interrupt) {
      this.interruptOnCancel = interrupt;
      return this;
    }

    /**
     * Receives {@code status_update}s addressed to the agent that carry no {@code task_id}; by
     * default they are refused (logged and dead-lettered).
     */
    public Builder otherStatusUpdates(MessageHandler handler) {
      this.otherStatusUpdates = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Also takes tasks from the work queue {@code queueName} ({@link Tasks#assignToQueue}), up to
     * {@code workers} at once; needs a {@link #handler}.
     */
    public Builder serveQueue(String queueName, int workers) {
      this.queueName = Subjects.requireToken("queue name", queueName);
      if (workers < 1) {
        throw new IllegalArgumentException("Tasks: queue '" + queueName
            + "' needs at least 1 worker, was " + workers);
      }
      this.queueWorkers = workers;
      return this;
    }

    /** How long {@link #close()} waits for canceled handlers to end; default 5 s. */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("Tasks: closeTimeout must not be negative, was "
            + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * The tasks, listening to heartbeats and offline broadcasts from now on.
     *
     * @throws IllegalStateException if a queue is served without a handler
     */
    public Tasks build() {
      if (queueName != null && handler == null) {
        throw new IllegalStateException("Tasks of '" + agentId + "' serve the queue '"
            + queueName + "' but have no handler; set one with handler(...)");
      }
      return new Tasks(this).start();
    }
  }
}
