package io.agentbus.agent.monitor;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.Subscription;
import io.agentbus.agent.internal.SerialEvents;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed orchestrator's watch over its agents, usable inside any agent: a registry of every agent
 * it has heard of, with its last heartbeat and status, alive or dead.
 *
 * <pre>{@code
 * OrchestratorMonitor monitor = OrchestratorMonitor.builder(bus)
 *     .deadAfter(Duration.ofSeconds(90))
 *     .onTaskFailed(d -> reassign(d.message()))
 *     .onBlocker(d -> resolve(d.message()))
 *     .addListener(e -> log.info("{} {}", e.agentId(), e.kind()))
 *     .build()
 *     .start();
 * Set<String> alive = monitor.aliveAgents();
 * }</pre>
 *
 * <p>{@link #start()} subscribes to the {@code heartbeat}, {@code status_update}, {@code
 * task_failed} and {@code blocker} broadcasts. Every message from an agent is a sign of life,
 * except a {@code status_update} whose {@code content.status} is {@code offline}, which means the
 * agent left ({@link Liveness#OFFLINE}, no death follows). An agent not heard from for {@link
 * Builder#deadAfter dead-after} (default 90 s) is marked {@link Liveness#DEAD} at exactly its last
 * sign of life plus that period, once; when it is heard from again it is alive again. Each change
 * goes to the {@link MonitorListener}s as an {@link AgentEvent}: joined, dead, recovered, left.
 * Times are the monitor's {@link Scheduler} clock at receipt, so the senders' clocks do not matter.
 *
 * <p>It keeps one timer for all agents, set for the earliest deadline (not one task per agent), so
 * tens of thousands of agents cost a map entry each.
 *
 * <p>Thread-safe. {@link #close()} stops it; it does not close the bus.
 */
public final class OrchestratorMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorMonitor.class);

  /** The seed's dead-after period. */
  public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(90);

  private static final List<MessageType> WATCHED = List.of(MessageType.HEARTBEAT,
      MessageType.STATUS_UPDATE, MessageType.TASK_FAILED, MessageType.BLOCKER);

  private final MessageBus bus;
  private final Scheduler scheduler;
  private final Duration deadAfter;
  private final Duration drainTimeout;
  private final MessageHandler taskFailedHandler;
  private final MessageHandler blockerHandler;
  private final List<MonitorListener> listeners;
  private final SerialEvents events = new SerialEvents("OrchestratorMonitor");
  private final LongAdder observed = new LongAdder();

  private final Object lock = new Object();
  // guarded by lock
  private final Map<String, Entry> entries = new HashMap<>();
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
  private Scheduler.@Nullable Cancellable timer;
  private @Nullable Instant timerAt;
  private long timerGeneration;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean started;
  private boolean closing; // no more timers; messages in flight are still taken into account
  private boolean closed;

  private OrchestratorMonitor(Builder b) {
    this.bus = b.bus;
    this.scheduler = b.scheduler != null ? b.scheduler : b.bus.scheduler();
    this.deadAfter = b.deadAfter;
    this.drainTimeout = b.drainTimeout;
    this.taskFailedHandler = b.taskFailedHandler;
    this.blockerHandler = b.blockerHandler;
    this.listeners = new CopyOnWriteArrayList<>(b.listeners);
  }

  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Subscribes to the broadcasts it watches. Idempotent.
   *
   * @return this monitor
   * @throws IllegalStateException if it was closed
   */
  public OrchestratorMonitor start() {
    synchronized (lock) {
      if (closing) {
        throw new IllegalStateException("This OrchestratorMonitor is closed");
      }
      if (started) {
        return this;
      }
      started = true;
      try {
        for (MessageType type : WATCHED) {
          subscriptions.add(bus.subscribeToBroadcasts(type, this::onDelivery));
        }
      } catch (RuntimeException e) {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
        closing = true;
        closed = true;
        throw e;
      }
    }
    return this;
  }

  /**
   * Stops watching: cancels its timer (no agent is marked dead any more) and drains its
   * subscriptions, so that messages already received are still taken into account (up to the
   * drain timeout). No event follows its return. Idempotent.
   */
  @Override
  public void close() {
    List<Subscription> subs;
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      subs = new ArrayList<>(subscriptions);
      subscriptions.clear();
      cancelTimer();
    }
    List<CompletableFuture<Void>> drains = new ArrayList<>();
    for (Subscription s : subs) {
      drains.add(s.drain(drainTimeout));
    }
    try {
      CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
          .get(drainTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("The orchestrator monitor's handlers did not finish within {}; unsubscribing",
          drainTimeout);
    }
    subs.forEach(s -> {
      if (s.isActive()) {
        s.unsubscribe();
      }
    });
    synchronized (lock) {
      closed = true;
      cancelTimer();
    }
  }

  /** Called with the lock held. */
  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
      timerAt = null;
    }
  }

  public void addListener(MonitorListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ------------------------------------------------------------------ input

  private void onDelivery(Delivery d) throws Exception {
    AgentMessage m = d.message();
    observe(m);
    if (m.messageType().equals(MessageType.TASK_FAILED)) {
      taskFailedHandler.onMessage(d);
    } else if (m.messageType().equals(MessageType.BLOCKER)) {
      blockerHandler.onMessage(d);
    }
  }

  /**
   * Takes one message into account as if it had arrived on the bus (without calling the {@code
   * task_failed} and {@code blocker} handlers): for feeding the monitor from elsewhere, such as an
   * agent's own subscription or a replay. Works whether or not the monitor is started; ignored once
   * it is closed.
   */
  public void observe(AgentMessage message) {
    observed.increment();
    String id = message.fromAgent();
    boolean heartbeat = message.messageType().equals(MessageType.HEARTBEAT);
    boolean statusUpdate = message.messageType().equals(MessageType.STATUS_UPDATE);
    Object statusValue = message.content().get("status");
    String status = statusValue instanceof String ? (String) statusValue : null;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = scheduler.now();
      Entry e = entries.get(id);
      boolean isNew = e == null;
      if (e == null) {
        e = new Entry(id, now);
        entries.put(id, e);
      }
      e.lastSeen = now;
      if (heartbeat) {
        e.lastHeartbeat = now;
      }
      if (status != null && (heartbeat || statusUpdate)) {
        e.lastStatus = status;
      }
      if (statusUpdate) {
        e.lastStatusContent = message.content();
      }
      if (statusUpdate && "offline".equals(status)) {
        Liveness before = isNew ? null : e.liveness;
        e.liveness = Liveness.OFFLINE;
        e.deadSince = null;
        if (before != null && before != Liveness.OFFLINE) {
          emit(AgentEvent.Kind.LEFT, e, now);
        }
      } else {
        Liveness before = isNew ? null : e.liveness;
        e.liveness = Liveness.ALIVE;
        e.deadSince = null;
        e.deadline = now.plus(deadAfter);
        if (!e.queued) {
          deadlines.add(new Deadline(e.deadline, e));
          e.queued = true;
          ensureTimer(now);
        }
        if (before == null || before == Liveness.OFFLINE) {
          emit(AgentEvent.Kind.JOINED, e, now);
        } else if (before == Liveness.DEAD) {
          emit(AgentEvent.Kind.RECOVERED, e, now);
        }
      }
    }
    events.dispatch();
  }

  // ------------------------------------------------------------------ dead detection

  /** Called with the lock held. */
  private void ensureTimer(Instant now) {
    Deadline head = deadlines.peek();
    if (head == null || closing) {
      return;
    }
    if (timer != null && timerAt != null && !timerAt.isAfter(head.at)) {
      return;
    }
    if (timer != null) {
      timer.cancel();
    }
    long generation = ++timerGeneration;
    timerAt = head.at;
    Duration delay = Duration.between(now, head.at);
    timer = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay,
        () -> onTimer(generation));
  }

  private void onTimer(long generation) {
    synchronized (lock) {
      if (closing) {
        return;
      }
      if (generation == timerGeneration) {
        timer = null;
        timerAt = null;
      }
      Instant now = scheduler.now();
      Deadline d;
      while ((d = deadlines.peek()) != null && !d.at.isAfter(now)) {
        deadlines.poll();
        Entry e = d.entry;
        e.queued = false;
        if (e.liveness != Liveness.ALIVE) {
          continue;
        }
        if (!e.deadline.isAfter(now)) {
          e.liveness = Liveness.DEAD;
          e.deadSince = e.deadline;
          emit(AgentEvent.Kind.DEAD, e, e.deadline);
        } else {
          // heard from since this deadline was queued: one queue entry per agent, moved on lazily
          deadlines.add(new Deadline(e.deadline, e));
          e.queued = true;
        }
      }
      ensureTimer(now);
    }
    events.dispatch();
  }

  /** Called with the lock held. */
  private void emit(AgentEvent.Kind kind, Entry e, Instant at) {
    AgentEvent event = new AgentEvent(kind, e.id, at, e.snapshot());
    log.debug("Agent '{}' {} at {}", e.id, kind, at);
    for (MonitorListener l : listeners) {
      events.enqueue(() -> l.onEvent(event));
    }
  }

  // ------------------------------------------------------------------ queries

  /** The ids of the agents alive now, sorted. */
  public Set<String> aliveAgents() {
    synchronized (lock) {
      TreeSet<String> alive = new TreeSet<>();
      for (Entry e : entries.values()) {
        if (e.liveness == Liveness.ALIVE) {
          alive.add(e.id);
        }
      }
      return Collections.unmodifiableSet(alive);
    }
  }

  /** Every agent heard of, sorted by id. */
  public List<AgentStatus> agents() {
    List<AgentStatus> all;
    synchronized (lock) {
      all = new ArrayList<>(entries.size());
      for (Entry e : entries.values()) {
        all.add(e.snapshot());
      }
    }
    all.sort(Comparator.comparing(AgentStatus::agentId));
    return all;
  }

  /** What is known of {@code agentId}, or empty if it was never heard of. */
  public Optional<AgentStatus> status(String agentId) {
    synchronized (lock) {
      Entry e = entries.get(agentId);
      return e == null ? Optional.empty() : Optional.of(e.snapshot());
    }
  }

  /** True when {@code agentId} is known and alive. */
  public boolean isAlive(String agentId) {
    synchronized (lock) {
      Entry e = entries.get(agentId);
      return e != null && e.liveness == Liveness.ALIVE;
    }
  }

  /** How many agents it has heard of. */
  public int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /** How many messages it has taken into account since it was built. */
  public long observedMessages() {
    return observed.sum();
  }

  public Duration deadAfter() {
    return deadAfter;
  }

  @Override
  public String toString() {
    return "OrchestratorMonitor{agents=" + size() + ", deadAfter=" + deadAfter + "}";
  }

  // ------------------------------------------------------------------ internals

  private static final class Entry {
    final String id;
    final Instant firstSeen;
    Instant lastSeen;
    @Nullable Instant lastHeartbeat;
    @Nullable String lastStatus;
    Map<String, @Nullable Object> lastStatusContent = Map.of();
    @Nullable Instant deadSince;
    Liveness liveness = Liveness.ALIVE;
    Instant deadline;
    boolean queued;

    Entry(String id, Instant now) {
      this.id = id;
      this.firstSeen = now;
      this.lastSeen = now;
      this.deadline = now;
    }

    AgentStatus snapshot() {
      return new AgentStatus(id, liveness, firstSeen, lastSeen, lastHeartbeat, lastStatus,
          lastStatusContent, deadSince);
    }
  }

  private record Deadline(Instant at, Entry entry) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline o) {
      return at.compareTo(o.at);
    }
  }

  /** Builds an {@link OrchestratorMonitor}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable Scheduler scheduler;
    private Duration deadAfter = DEFAULT_DEAD_AFTER;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private MessageHandler taskFailedHandler = d -> log.warn("Agent '{}' reports a failed task: {}",
        d.message().fromAgent(), d.message().content());
    private MessageHandler blockerHandler = d -> log.warn("Agent '{}' is blocked: {}",
        d.message().fromAgent(), d.message().content());
    private final List<MonitorListener> listeners = new ArrayList<>();

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /** The clock and timer for dead detection; default the bus's scheduler. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How long without a sign of life before an agent is dead; default 90 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder deadAfter(Duration deadAfter) {
      this.deadAfter = positive("deadAfter", deadAfter);
      return this;
    }

    /** How long {@link #close()} waits for in-flight handlers; default 5 s. */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = positive("drainTimeout", drainTimeout);
      return this;
    }

    /**
     * Handles {@code task_failed} broadcasts (after the monitor has noted the sender is alive).
     * Default: log at warn. If it throws, the bus logs and dead-letters the message.
     */
    public Builder onTaskFailed(MessageHandler handler) {
      this.taskFailedHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Handles {@code blocker} broadcasts, like {@link #onTaskFailed}. Default: log at warn. */
    public Builder onBlocker(MessageHandler handler) {
      this.blockerHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    public Builder addListener(MonitorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** A monitor, not yet subscribed: call {@link OrchestratorMonitor#start()}. */
    public OrchestratorMonitor build() {
      return new OrchestratorMonitor(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }
  }
}
