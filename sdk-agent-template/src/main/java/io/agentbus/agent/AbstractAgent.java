package io.agentbus.agent;

import io.agentbus.Agent;
import io.agentbus.AgentBusException;
import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import io.agentbus.Subscription;
import io.agentbus.TransportException;
import io.agentbus.agent.discovery.AgentService;
import io.agentbus.agent.internal.AgentThreads;
import io.agentbus.agent.internal.Closer;
import io.agentbus.agent.internal.HandlerMdc;
import io.agentbus.agent.internal.Heartbeat;
import io.agentbus.agent.internal.ServiceLifecycle;
import io.agentbus.agent.internal.ShutdownHook;
import io.agentbus.agent.internal.Subscriptions;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 *   Architect(AgentContext context) { super("architect-001", context); }
 *
 *   protected void configure(Handlers h) {
 *     h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
 *         request -> Map.of("resource", "task_model", "status", "ready"));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Starting</b> ({@link #startAsync()}, on a start/stop thread the process's agents share,
 * named {@code agentbus-<id>-start} while it starts this one): validates the id and teams,
 * calls {@link #configure(Handlers)}, subscribes to the agent's direct subject ({@code
 * <ns>.agent.<id>.*}), to each of its {@link #teams()} ({@code <ns>.team.<team>.*}), to the
 * broadcasts and work queues it declared, calls {@link #onStart()}, broadcasts a first heartbeat
 * ({@code {"status": "alive"}}, see {@link #heartbeatContent()}) and schedules the next ones every
 * {@link AgentContext#heartbeatInterval()} on the context's {@link Scheduler}; then the agent is
 * {@link State#RUNNING} and its {@linkplain Handlers#workLoop work loop}, if it declared one,
 * starts on its own thread. If any step throws, what was started is undone (subscriptions,
 * heartbeats, {@linkplain #closeOnStop resources}; an offline status if a heartbeat went out) and
 * the agent ends {@link State#FAILED}; {@link #onStop()} is not called.
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

  private final @Nullable String id;
  private final AgentContext context;
  private final Lifecycle lifecycle = new Lifecycle();
  private final Closer resources = new Closer(this::describe);

  // used by the start thread, then by the stop thread; never at the same time
  private final List<Subscription> subscriptions = new ArrayList<>();
  private @Nullable ShutdownHook shutdownHook;
  private @Nullable Heartbeat heartbeat;
  private volatile @Nullable ConnectionWatch connectionWatch;
  private volatile @Nullable AgentService discovery;
  private boolean announced;

  private @Nullable WorkRunner work;

  private volatile @Nullable AgentEndpoint endpoint;
  private volatile @Nullable Handlers handlers; // frozen once set

  /**
   * An agent named {@code id}.
   *
   * @param id a subject token (no spaces, {@code .}, {@code *} or {@code >}), unique on the bus
   * @param context the shared bus, scheduler and lifecycle settings
   * @throws io.agentbus.InvalidSubjectException if {@code id} is not a subject token
   */
  protected AbstractAgent(String id, AgentContext context) {
    this.id = Subjects.requireToken("agent id", id);
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * An agent whose subclass overrides {@link #id()}, for an id that is not known yet when the
   * constructor calls {@code super}.
   *
   * @param context the shared bus, scheduler and lifecycle settings
   */
  protected AbstractAgent(AgentContext context) {
    this.id = null;
    this.context = Objects.requireNonNull(context, "context");
  }

  // ------------------------------------------------------------------ hooks

  /**
   * The agent's id: the one given to the constructor; a subclass that did not give one overrides
   * this, returning a subject token, unique on the bus, the same on every call.
   *
   * @throws IllegalStateException if the agent was given no id and this is not overridden
   */
  @Override
  public String id() {
    if (id == null) {
      throw new IllegalStateException(getClass().getName() + " has no id: pass it to "
          + "AbstractAgent(String, AgentContext) or override id()");
    }
    return id;
  }

  /** The teams this agent belongs to; default none. Each is a subject token. */
  @Override
  public Set<String> teams() {
    return Set.of();
  }

  /**
   * The agent's version, as discovery reports it ({@code $SRV.INFO}): semantic versioning, such as
   * {@code 1.2.0}; default the AgentBus SDK's version.
   */
  protected String version() {
    return AgentService.sdkVersion();
  }

  /** What the agent does, in a sentence, as discovery reports it; default empty. */
  protected String description() {
    return "";
  }

  /**
   * Declares what the agent listens to, and its work loop if it has one; called once, while
   * starting, before any subscription. The default declares nothing (the agent still receives
   * direct messages, which then go to {@link #onUnhandled(Delivery)}).
   */
  protected void configure(Handlers handlers) {}

  /**
   * Called while starting, once the subscriptions are live and before the first heartbeat. If it
   * throws, the start fails and is undone.
   */
  protected void onStart() throws Exception {}

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
    return lifecycle.isRunning();
  }

  /** This agent's endpoint on the bus: everything it sends goes out as from it. */
  protected final AgentEndpoint endpoint() {
    AgentEndpoint e = endpoint;
    if (e == null) {
      e = bus().endpoint(id());
      endpoint = e;
    }
    return e;
  }

  /** Broadcasts from this agent on {@code <ns>.broadcast.<type>}. */
  protected final void broadcast(MessageType type, Map<String, ? extends @Nullable Object> content) {
    endpoint().broadcast(type, content);
  }

  /** Sends from this agent to {@code toAgent}. */
  protected final void send(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    endpoint().send(toAgent, type, content);
  }

  /** Sends from this agent to every member of {@code team}. */
  protected final void sendToTeam(String team, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    endpoint().sendToTeam(team, type, content);
  }

  /** Publishes a work item from this agent to the queue {@code queueName}. */
  protected final void publishToQueue(String queueName, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    endpoint().publishToQueue(queueName, type, content);
  }

  /**
   * Asks {@code toAgent} and waits for the reply; throws what {@link AgentEndpoint#request(String,
   * MessageType, Map, Duration)} throws.
   */
  protected final AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return endpoint().request(toAgent, type, content, timeout);
  }

  /** Asks {@code toAgent} without waiting; see {@link AgentEndpoint#requestAsync}. */
  protected final CompletableFuture<AgentMessage> requestAsync(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return endpoint().requestAsync(toAgent, type, content, timeout);
  }

  /**
   * Registers something the agent opened, to be closed when it stops (or when its start fails),
   * in reverse order of registration. A resource registered once the agent's resources were closed
   * is closed at once.
   *
   * @return {@code resource}
   */
  protected final <T extends AutoCloseable> T closeOnStop(T resource) {
    return resources.register(Objects.requireNonNull(resource, "resource"));
  }

  // ------------------------------------------------------------------ Agent

  @Override
  public final State state() {
    return lifecycle.state();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Not serving while RUNNING when the connection to the message server is lost (reconnecting)
   * or the server refuses the agent's credentials at a reconnect; the reason says which.
   */
  @Override
  public final Health health() {
    State s = lifecycle.state();
    ConnectionWatch watch = connectionWatch;
    return watch == null ? Agent.super.health() : watch.health(s);
  }

  @Override
  public final @Nullable Throwable failureCause() {
    return lifecycle.failureCause();
  }

  @Override
  public final void addListener(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    lifecycle.addListener((from, to, failure) -> listener.onTransition(this, from, to, failure));
  }

  @Override
  public final Agent startAsync() {
    lifecycle.startAsync();
    return this;
  }

  @Override
  public final Agent stopAsync() {
    lifecycle.stopAsync();
    return this;
  }

  @Override
  public final void awaitRunning(Duration timeout) throws TimeoutException {
    lifecycle.awaitRunning(timeout);
  }

  @Override
  public final void awaitTerminated(Duration timeout) throws TimeoutException {
    lifecycle.awaitTerminated(timeout);
  }

  /**
   * Starts and stops on the shared start/stop threads ({@link AgentThreads#runTransition}): both
   * subscribe, flush or drain, which blocks.
   */
  private final class Lifecycle extends ServiceLifecycle {
    Lifecycle() {
      super(AbstractAgent.this::describe);
    }

    @Override
    protected void doStart() {
      AgentThreads.runTransition(safeId(), "start", AbstractAgent.this::start);
    }

    @Override
    protected void doStop(@Nullable Throwable cause) {
      AgentThreads.runTransition(safeId(), "stop", () -> stop(cause));
    }

    void started() {
      notifyStarted();
    }

    void ended(@Nullable Throwable error) {
      if (error == null) {
        notifyStopped();
      } else {
        notifyFailed(error);
      }
    }
  }

  // ------------------------------------------------------------------ starting

  private void start() {
    String myId;
    Handlers declared;
    try {
      myId = Subjects.requireToken("agent id", id());
      for (String team : teams()) {
        Subjects.requireToken("team id of agent '" + myId + "'", team);
      }
      declared = new Handlers(myId);
      configure(declared);
      declared.freeze();
      handlers = declared;
      if (context.discovery()) {
        // before subscribing: a duplicate must not handle a single message
        DiscoverySupport.checkDuplicate(myId, context);
        discovery = DiscoverySupport.start(this, myId, declared);
      }
      subscribeAll(myId, declared);
      watchConnection(myId);
      onStart();
      if (context.shutdownHook()) {
        shutdownHook = ShutdownHook.register(myId, this::stopAtShutdown);
      }
      Heartbeat beat = new Heartbeat(scheduler(), context.heartbeatInterval(),
          () -> endpoint().broadcast(MessageType.HEARTBEAT, heartbeatContent()),
          describe());
      heartbeat = beat;
      beat.start();
      announced = true;
    } catch (Throwable e) {
      undoStart(e);
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      return;
    }
    // set before RUNNING, so that any stop finds it
    WorkRunner runner = new WorkRunner(myId, lifecycle, context.drainTimeout());
    work = runner;
    lifecycle.started();
    WorkLoop loop = declared.workLoop();
    if (loop != null) {
      runner.start(loop);
    }
  }

  private void subscribeAll(String myId, Handlers handlers) {
    MessageBus bus = bus();
    MessageHandler addressed = HandlerMdc.wrap(myId, this::onAddressed);
    subscriptions.add(bus.subscribeToAgentMessages(myId, addressed));
    for (String team : teams()) {
      subscriptions.add(bus.subscribeToTeam(team, addressed));
    }
    handlers.broadcasts().forEach((type, handler) ->
        subscriptions.add(bus.subscribeToBroadcasts(type,
            HandlerMdc.wrap(myId, timed(DiscoverySupport.broadcastEndpoint(type), handler)))));
    handlers.queues().forEach((name, q) ->
        subscriptions.add(bus.createWorkQueue(name,
            HandlerMdc.wrap(myId, timed(DiscoverySupport.queueEndpoint(name), q.handler())),
            q.workers())));
    // on NATS a subscription is live once the server has it: make sure before anyone is told
    // (by our first heartbeat) that we are here
    bus.flush(context.drainTimeout());
  }

  /**
   * An agent whose connection is lost or refused does not serve ({@link #health()}); one whose
   * connection closed for good can neither hear nor answer: it must not stay RUNNING, so it fails
   * with the connection's reason (a supervisor may then restart it). See {@link ConnectionWatch}.
   */
  private void watchConnection(String myId) {
    ConnectionWatch watch = new ConnectionWatch(myId, lifecycle::isRunning, lifecycle::failAsync);
    connectionWatch = watch;
    bus().addConnectionListener(watch);
  }

  private void onAddressed(Delivery d) throws Exception {
    Handlers declared = Objects.requireNonNull(handlers, "handlers");
    AgentService service = discovery;
    if (service == null) {
      declared.dispatch(d, this::onUnhandled);
    } else {
      DiscoverySupport.run(service, d.message().messageType().wireName(),
          x -> declared.dispatch(x, this::onUnhandled), d);
    }
  }

  private MessageHandler timed(String endpoint, MessageHandler handler) {
    AgentService service = discovery;
    return service == null ? handler : DiscoverySupport.timed(service, endpoint, handler);
  }

  private void undoStart(Throwable cause) {
    log.error("Agent '{}' failed to start; undoing what it started", safeId(), cause);
    stopHeartbeatAndHook();
    for (Subscription s : subscriptions) {
      try {
        s.unsubscribe();
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
    subscriptions.clear();
    resources.closeAll(cause);
    if (announced) {
      announceOffline(cause);
    }
    lifecycle.ended(cause);
  }

  // ------------------------------------------------------------------ stopping

  private void stop(@Nullable Throwable cause) {
    Throwable error = cause;
    stopHeartbeatAndHook();
    WorkRunner runner = work;
    if (runner != null) {
      runner.stop();
    }
    Subscriptions.drainAll(subscriptions, context.drainTimeout(), describe());
    subscriptions.clear();
    try {
      onStop();
    } catch (Throwable e) {
      log.error("onStop() of agent '{}' failed", id(), e);
      error = Closer.chain(error, e);
    }
    error = resources.closeAll(error);
    announceOffline(error);
    lifecycle.ended(error);
  }

  private void stopHeartbeatAndHook() {
    ConnectionListener watch = connectionWatch;
    connectionWatch = null;
    if (watch != null) {
      bus().removeConnectionListener(watch);
    }
    AgentService service = discovery;
    if (service != null) {
      service.close(); // no longer listed once it stops serving
    }
    Heartbeat beat = heartbeat;
    if (beat != null) {
      beat.stop();
    }
    ShutdownHook hook = shutdownHook;
    shutdownHook = null;
    if (hook != null) {
      hook.unregister();
    }
  }

  private void stopAtShutdown() {
    stopAsync();
    try {
      awaitTerminated(context.drainTimeout().multipliedBy(3));
    } catch (TimeoutException | IllegalStateException e) {
      log.warn("Agent '{}' did not stop cleanly at JVM shutdown: {}", safeId(), e.getMessage());
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
      endpoint().broadcast(MessageType.STATUS_UPDATE, content);
    } catch (RuntimeException e) {
      log.warn("Agent '{}' could not announce that it goes offline ({}); monitors will take it "
          + "for dead once its heartbeats are missed", safeId(), e.toString());
    }
  }

  private String describe() {
    return "Agent '" + safeId() + "'";
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
