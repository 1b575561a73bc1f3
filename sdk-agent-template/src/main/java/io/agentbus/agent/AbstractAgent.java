package io.agentbus.agent;

import io.agentbus.Agent;
import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import io.agentbus.Subscription;
import io.agentbus.agent.internal.SerialEvents;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's agent lifecycle as a template: extend it, name the agent, declare what it listens to,
 * and the template does the rest.
 *
 * <pre>{@code
 * final class Architect extends AbstractAgent {
 *   Architect(AgentContext context) { super(context); }
 *
 *   public String id() { return "architect-001"; }
 *
 *   protected void configure(Handlers h) {
 *     h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
 *         request -> Map.of("resource", "task_model", "status", "ready"));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Starting</b> ({@link #startAsync()}, on a thread of its own): validates the id and teams,
 * calls {@link #configure(Handlers)}, subscribes to the agent's direct subject ({@code
 * <ns>.agent.<id>.*}), to each of its {@link #teams()} ({@code <ns>.team.<team>.*}), to the
 * broadcasts and work queues it declared, calls {@link #onStart()}, broadcasts a first heartbeat
 * ({@code {"status": "alive"}}, see {@link #heartbeatContent()}) and schedules the next ones every
 * {@link AgentContext#heartbeatInterval()} on the context's {@link Scheduler}; then the agent is
 * {@link State#RUNNING} and its {@link #runWork()} loop, if it has one, starts on its own thread.
 * If any step throws, what was started is undone (subscriptions, heartbeats, {@linkplain
 * #closeOnStop resources}; an offline status if a heartbeat went out) and the agent ends {@link
 * State#FAILED}; {@link #onStop()} is not called.
 *
 * <p><b>Stopping</b> ({@link #stopAsync()}, explicitly or from the JVM shutdown hook when {@link
 * AgentContext#shutdownHook()} is on): stops heartbeats, interrupts the work loop and waits for it,
 * drains the subscriptions so in-flight handlers finish (each wait bounded by {@link
 * AgentContext#drainTimeout()}), calls {@link #onStop()}, closes the resources registered with
 * {@link #closeOnStop}, and finally broadcasts a {@code status_update} {@code {"status":
 * "offline", "reason": "stopped"}} (or {@code "failed"} with an {@code "error"}). The shared bus is
 * not closed: it belongs to whoever built it ({@link AgentHost}). Stopping is idempotent. If the work
 * loop, {@code onStop} or a resource throws, the agent still cleans up and ends {@link
 * State#FAILED}.
 *
 * <p>Messages addressed to the agent for which it declared no handler go to {@link
 * #onUnhandled(Delivery)}, which by default fails them: the bus logs and dead-letters them, and a
 * requester gets a {@link io.agentbus.RemoteHandlerException} at once.
 *
 * <p>Thread-safe. Handlers run on the transport's delivery threads, serially per subscription;
 * the work loop on its own thread; heartbeats on the scheduler's thread. {@linkplain
 * #addListener Listeners} are told of each transition in order, before {@link #awaitRunning} or
 * {@link #awaitTerminated} return for it.
 */
public abstract class AbstractAgent implements Agent {
  private static final Logger log = LoggerFactory.getLogger(AbstractAgent.class);

  private static final Map<String, Object> ALIVE = Map.of("status", "alive");

  private final AgentContext context;
  private final Object lock = new Object();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final SerialEvents events;

  // guarded by lock
  private State state = State.NEW;
  private @Nullable Throwable failure;
  private boolean stopRequested;

  // used by the start thread, then by the stop thread; never at the same time
  private final List<Subscription> subscriptions = new ArrayList<>();
  private @Nullable Thread shutdownHook;
  private boolean announced;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>(); // guarded by itself
  private boolean resourcesClosed; // guarded by resources

  private final Object heartbeatLock = new Object();
  private boolean heartbeating; // guarded by heartbeatLock
  private Scheduler.@Nullable Cancellable heartbeat; // guarded by heartbeatLock

  private volatile Map<MessageType, MessageHandler> addressedHandlers = Map.of();
  private volatile Map<MessageType, Handlers.Reply> requestHandlers = Map.of();
  private volatile @Nullable Thread workThread;

  /** @param context the shared bus, scheduler and lifecycle settings */
  protected AbstractAgent(AgentContext context) {
    this.context = Objects.requireNonNull(context, "context");
    this.events = new SerialEvents(getClass().getName());
  }

  // ------------------------------------------------------------------ hooks

  /**
   * The agent's id: a subject token (no spaces, {@code .}, {@code *} or {@code >}), unique on the
   * bus, the same on every call.
   */
  @Override
  public abstract String id();

  /** The teams this agent belongs to; default none. Each is a subject token. */
  @Override
  public Set<String> teams() {
    return Set.of();
  }

  /**
   * Declares what the agent listens to; called once, while starting, before any subscription.
   * The default declares nothing (the agent still receives direct messages, which then go to
   * {@link #onUnhandled(Delivery)}).
   */
  protected void configure(Handlers handlers) {}

  /**
   * Called while starting, once the subscriptions are live and before the first heartbeat. If it
   * throws, the start fails and is undone.
   */
  protected void onStart() throws Exception {}

  /**
   * The agent's own work, run on a thread of its own once the agent is RUNNING; only if the
   * subclass overrides it. Stopping interrupts this thread: end promptly when interrupted (or when
   * {@link #isRunning()} turns false). Returning normally leaves the agent RUNNING (it still
   * answers messages); call {@link #stopAsync()} at the end to stop it instead. Throwing (other
   * than in answer to the interruption while stopping) stops the agent and ends it FAILED.
   */
  protected void runWork() throws Exception {}

  /**
   * Called while stopping, after the work loop ended and the subscriptions drained, before the
   * {@linkplain #closeOnStop resources} close and the offline status goes out. The bus is still
   * usable. If it throws, the agent still cleans up and ends FAILED.
   */
  protected void onStop() throws Exception {}

  /**
   * What each heartbeat carries in {@code content}; default {@code {"status": "alive"}}, as the
   * seed's agents send. Called on the scheduler's thread: keep it quick.
   */
  protected Map<String, ? extends @Nullable Object> heartbeatContent() {
    return ALIVE;
  }

  /**
   * Receives a message addressed to the agent for a type it declared no handler for. The default
   * throws, so the message is logged, counted and dead-lettered by the bus, and a requester fails
   * at once.
   */
  protected void onUnhandled(Delivery delivery) throws Exception {
    AgentMessage m = delivery.message();
    throw new AgentBusException("Agent '" + id() + "' has no handler for " + m.messageType()
        + " messages (this one from " + m.fromAgent() + " on '" + delivery.subject()
        + "'); declare one in configure(Handlers)");
  }

  // ------------------------------------------------------------------ for subclasses

  /** The context this agent was built with. */
  protected final AgentContext context() {
    return context;
  }

  /** The shared bus, for anything the convenience methods below do not cover. Never close it. */
  protected final MessageBus bus() {
    return context.bus();
  }

  /** The scheduler heartbeats run on; use it for the agent's own timers. */
  protected final Scheduler scheduler() {
    return context.scheduler();
  }

  /** True while the agent is RUNNING. */
  protected final boolean isRunning() {
    return state() == State.RUNNING;
  }

  /** Broadcasts from this agent on {@code <ns>.broadcast.<type>}. */
  protected final void broadcast(MessageType type, Map<String, ? extends @Nullable Object> content) {
    bus().broadcast(id(), type, content);
  }

  /** Sends from this agent to {@code toAgent}. */
  protected final void send(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus().sendToAgent(id(), toAgent, type, content);
  }

  /** Sends from this agent to every member of {@code team}. */
  protected final void sendToTeam(String team, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus().sendToTeam(id(), team, type, content);
  }

  /** Publishes a work item from this agent to the queue {@code queueName}. */
  protected final void publishToQueue(String queueName, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus().publishToQueue(queueName, id(), type, content);
  }

  /**
   * Asks {@code toAgent} and waits for the reply; throws what {@link MessageBus#request(String,
   * String, MessageType, Map, Duration)} throws.
   */
  protected final AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus().request(id(), toAgent, type, content, timeout);
  }

  /** Asks {@code toAgent} without waiting; see {@link MessageBus#requestAsync}. */
  protected final CompletableFuture<AgentMessage> requestAsync(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus().requestAsync(id(), toAgent, type, content, timeout);
  }

  /**
   * Registers something the agent opened, to be closed when it stops (or when its start fails),
   * in reverse order of registration. A resource registered once the agent's resources were closed
   * is closed at once.
   *
   * @return {@code resource}
   */
  protected final <T extends AutoCloseable> T closeOnStop(T resource) {
    Objects.requireNonNull(resource, "resource");
    synchronized (resources) {
      if (!resourcesClosed) {
        resources.push(resource);
        return resource;
      }
    }
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("Agent '{}' had stopped; closing {} registered afterwards failed", id(), resource,
          e);
    }
    return resource;
  }

  // ------------------------------------------------------------------ Agent

  @Override
  public final State state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public final @Nullable Throwable failureCause() {
    synchronized (lock) {
      return failure;
    }
  }

  @Override
  public final void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public final Agent startAsync() {
    synchronized (lock) {
      if (state != State.NEW) {
        return this;
      }
      transition(State.STARTING, null);
    }
    events.dispatch();
    newThread("start", this::doStart).start();
    return this;
  }

  @Override
  public final Agent stopAsync() {
    boolean stopThread = false;
    synchronized (lock) {
      switch (state) {
        case NEW -> transition(State.TERMINATED, null);
        case STARTING -> stopRequested = true;
        case RUNNING -> {
          transition(State.STOPPING, null);
          stopThread = true;
        }
        default -> {
          // stopping already, or done
        }
      }
    }
    events.dispatch();
    if (stopThread) {
      newThread("stop", () -> doStop(null)).start();
    }
    return this;
  }

  @Override
  public final void awaitRunning(Duration timeout) throws TimeoutException {
    await(timeout, State.RUNNING);
  }

  @Override
  public final void awaitTerminated(Duration timeout) throws TimeoutException {
    await(timeout, State.TERMINATED);
  }

  private void await(Duration timeout, State target) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    State reached;
    Throwable failed;
    try {
      synchronized (lock) {
        while (true) {
          reached = state;
          failed = failure;
          if (reached == target || reached == State.FAILED
              || (target == State.RUNNING && reached.compareTo(target) > 0)) {
            break;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException("Agent '" + safeId() + "' did not become " + target
                + " within " + timeout + "; it is " + state);
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    // listeners hear of a transition before anyone waiting for it returns
    events.dispatch();
    if (reached != target) {
      throw new IllegalStateException("Agent '" + safeId() + "' is " + reached
          + " and will not become " + target
          + (failed != null ? " (it failed: " + failed + ")" : ""), failed);
    }
  }

  // ------------------------------------------------------------------ starting

  private void doStart() {
    String id;
    try {
      id = Subjects.requireToken("agent id", id());
      for (String team : teams()) {
        Subjects.requireToken("team id of agent '" + id + "'", team);
      }
      Handlers handlers = new Handlers(id);
      configure(handlers);
      handlers.freeze();
      addressedHandlers = Map.copyOf(handlers.addressed());
      requestHandlers = Map.copyOf(handlers.requests());
      subscribeAll(id, handlers);
      onStart();
      if (context.shutdownHook()) {
        addShutdownHook(id);
      }
      startHeartbeats(id);
    } catch (Throwable e) {
      undoStart(e);
      if (e instanceof VirtualMachineError) {
        throw (VirtualMachineError) e;
      }
      return;
    }
    boolean stopNow;
    synchronized (lock) {
      stopNow = stopRequested;
      transition(stopNow ? State.STOPPING : State.RUNNING, null);
    }
    events.dispatch();
    if (stopNow) {
      doStop(null);
    } else if (hasWorkLoop()) {
      Thread t = newThread("work", this::work);
      workThread = t;
      t.start();
    }
  }

  private void subscribeAll(String id, Handlers handlers) {
    MessageBus bus = bus();
    subscriptions.add(bus.subscribeToAgentMessages(id, this::onAddressed));
    for (String team : teams()) {
      subscriptions.add(bus.subscribeToTeam(team, this::onAddressed));
    }
    handlers.broadcasts().forEach((type, handler) ->
        subscriptions.add(bus.subscribeToBroadcasts(type, handler)));
    handlers.queues().forEach((name, q) ->
        subscriptions.add(bus.createWorkQueue(name, q.handler(), q.workers())));
    // on NATS a subscription is live once the server has it: make sure before anyone is told
    // (by our first heartbeat) that we are here
    bus.transport().flush(context.drainTimeout());
  }

  private void onAddressed(Delivery d) throws Exception {
    AgentMessage m = d.message();
    Handlers.Reply reply = requestHandlers.get(m.messageType());
    if (reply != null) {
      Map<String, ? extends @Nullable Object> content = reply.handler().answer(m);
      if (content == null) {
        throw new AgentBusException("The request handler of agent '" + id() + "' for "
            + m.messageType() + " returned null; return the reply's content (maybe empty)");
      }
      if (d.isRequest()) {
        d.reply(id(), reply.replyType(), content);
      } else {
        log.warn("Agent '{}' answered a {} from {} that was not a request (nobody waits for a "
            + "reply on '{}'); the answer is dropped", id(), m.messageType(), m.fromAgent(),
            d.subject());
      }
      return;
    }
    MessageHandler handler = addressedHandlers.get(m.messageType());
    if (handler != null) {
      handler.onMessage(d);
    } else {
      onUnhandled(d);
    }
  }

  private void undoStart(Throwable cause) {
    log.error("Agent '{}' failed to start; undoing what it started", safeId(), cause);
    stopHeartbeats();
    removeShutdownHook();
    for (Subscription s : subscriptions) {
      try {
        s.unsubscribe();
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
    subscriptions.clear();
    closeResources(cause);
    if (announced) {
      announceOffline(cause);
    }
    finish(cause);
  }

  private boolean hasWorkLoop() {
    for (Class<?> c = getClass(); c != AbstractAgent.class; c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod("runWork");
        return true;
      } catch (NoSuchMethodException e) {
        // look further up
      }
    }
    return false;
  }

  private void work() {
    try {
      runWork();
      log.debug("The work loop of agent '{}' returned; the agent keeps running", id());
    } catch (Throwable e) {
      boolean failNow;
      synchronized (lock) {
        failNow = state == State.RUNNING;
        if (failNow) {
          transition(State.STOPPING, null);
        }
      }
      if (!failNow) {
        if (e instanceof InterruptedException) {
          log.debug("The work loop of agent '{}' ended on interruption while stopping", id());
        } else {
          log.warn("The work loop of agent '{}' threw while the agent was stopping", id(), e);
        }
        return;
      }
      events.dispatch();
      log.error("The work loop of agent '{}' failed; stopping the agent", id(), e);
      doStop(e);
      if (e instanceof VirtualMachineError) {
        throw (VirtualMachineError) e;
      }
    }
  }

  // ------------------------------------------------------------------ heartbeats

  private void startHeartbeats(String id) {
    synchronized (heartbeatLock) {
      heartbeating = true;
    }
    sendHeartbeat(id);
    announced = true;
    Duration every = context.heartbeatInterval();
    Scheduler.Cancellable c = scheduler().scheduleAtFixedRate(every, every, () -> {
      try {
        sendHeartbeat(id);
      } catch (RuntimeException e) {
        log.warn("Agent '{}' could not send its heartbeat: {}", id, e.toString());
      }
    });
    synchronized (heartbeatLock) {
      if (heartbeating) {
        heartbeat = c;
      } else {
        c.cancel();
      }
    }
  }

  private void sendHeartbeat(String id) {
    // under the lock: once stopHeartbeats returns, no heartbeat can follow the offline status
    synchronized (heartbeatLock) {
      if (heartbeating) {
        bus().broadcast(id, MessageType.HEARTBEAT, heartbeatContent());
      }
    }
  }

  private void stopHeartbeats() {
    synchronized (heartbeatLock) {
      heartbeating = false;
      if (heartbeat != null) {
        heartbeat.cancel();
        heartbeat = null;
      }
    }
  }

  // ------------------------------------------------------------------ stopping

  private void doStop(@Nullable Throwable cause) {
    Throwable error = cause;
    stopHeartbeats();
    removeShutdownHook();
    stopWorkLoop();
    drainSubscriptions();
    try {
      onStop();
    } catch (Throwable e) {
      log.error("onStop() of agent '{}' failed", id(), e);
      error = firstOf(error, e);
    }
    error = closeResources(error);
    announceOffline(error);
    finish(error);
  }

  private void stopWorkLoop() {
    Thread t = workThread;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    t.interrupt();
    try {
      t.join(context.drainTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      log.warn("The work loop of agent '{}' did not end within {} of being interrupted; the "
          + "agent stops without it (thread '{}' is left running)", id(),
          context.drainTimeout(), t.getName());
    }
  }

  private void drainSubscriptions() {
    Duration timeout = context.drainTimeout();
    List<CompletableFuture<Void>> drains = new ArrayList<>();
    for (Subscription s : subscriptions) {
      try {
        drains.add(s.drain(timeout));
      } catch (RuntimeException e) {
        log.warn("Agent '{}' could not drain its subscription to '{}'", id(), s.subject(), e);
      }
    }
    try {
      CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Agent '{}': in-flight handlers did not all finish within {} ({}); "
          + "unsubscribing anyway", id(), timeout,
          String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
    }
    for (Subscription s : subscriptions) {
      if (s.isActive()) {
        s.unsubscribe();
      }
    }
    subscriptions.clear();
  }

  private @Nullable Throwable closeResources(@Nullable Throwable error) {
    while (true) {
      AutoCloseable r;
      synchronized (resources) {
        r = resources.poll();
        if (r == null) {
          resourcesClosed = true;
          return error;
        }
      }
      try {
        r.close();
      } catch (Exception e) {
        log.error("Agent '{}' could not close {}", safeId(), r, e);
        error = firstOf(error, e);
      }
    }
  }

  private void announceOffline(@Nullable Throwable error) {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("status", "offline");
    content.put("reason", error == null ? "stopped" : "failed");
    if (error != null) {
      content.put("error", String.valueOf(error));
    }
    try {
      bus().broadcast(id(), MessageType.STATUS_UPDATE, content);
    } catch (RuntimeException e) {
      log.warn("Agent '{}' could not announce that it goes offline ({}); monitors will take it "
          + "for dead once its heartbeats are missed", safeId(), e.toString());
    }
  }

  private void finish(@Nullable Throwable error) {
    synchronized (lock) {
      transition(error == null ? State.TERMINATED : State.FAILED, error);
    }
    events.dispatch();
  }

  private static Throwable firstOf(@Nullable Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

  // ------------------------------------------------------------------ shutdown hook

  private void addShutdownHook(String id) {
    Thread hook = new Thread(() -> {
      stopAsync();
      try {
        awaitTerminated(context.drainTimeout().multipliedBy(3));
      } catch (TimeoutException | IllegalStateException e) {
        log.warn("Agent '{}' did not stop cleanly at JVM shutdown: {}", id, e.getMessage());
      }
    }, "agentbus-" + id + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
  }

  private void removeShutdownHook() {
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (hook == null || hook == Thread.currentThread()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or about to, and will find us stopped
    }
  }

  // ------------------------------------------------------------------ state machine

  /** Called with {@code lock} held. */
  private void transition(State to, @Nullable Throwable cause) {
    State from = state;
    state = to;
    if (to == State.FAILED) {
      failure = cause;
    }
    lock.notifyAll();
    log.debug("Agent '{}': {} -> {}", safeId(), from, to);
    for (Listener l : listeners) {
      events.enqueue(() -> l.onTransition(this, from, to, to == State.FAILED ? cause : null));
    }
  }

  private Thread newThread(String role, Runnable body) {
    Thread t = new Thread(body, "agentbus-" + safeId() + "-" + role);
    t.setDaemon(false);
    return t;
  }

  private String safeId() {
    try {
      return id();
    } catch (RuntimeException e) {
      return getClass().getSimpleName();
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{id=" + safeId() + ", state=" + state() + "}";
  }
}
