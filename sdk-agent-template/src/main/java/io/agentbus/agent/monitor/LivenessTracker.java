package io.agentbus.agent.monitor;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.internal.RateLimitedLog;
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
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's one job of knowing who is alive: takes messages into account as signs of life or
 * of leaving, marks an agent dead at exactly its last sign of life plus the dead-after period with
 * one timer for all agents (set for the earliest deadline), and tells {@link MonitorListener}s of
 * each change in order, without its lock held. It does not subscribe: it is fed. Thread-safe.
 */
final class LivenessTracker {
  private static final Logger log = LoggerFactory.getLogger(LivenessTracker.class);

  private final Scheduler scheduler;
  private final Duration deadAfter;
  private final int maxAgents;
  private final Duration retention;
  private final LongAdder refused = new LongAdder();
  private final LongAdder evicted = new LongAdder();
  private final RateLimitedLog refusals = new RateLimitedLog(log, Duration.ofMinutes(1));
  private final List<MonitorListener> listeners;
  private final SerialEvents events = new SerialEvents("OrchestratorMonitor");
  private final LongAdder observed = new LongAdder();

  private final Object lock = new Object();
  // guarded by lock
  private final Map<String, Entry> entries = new HashMap<>();
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
  // agents that left or died, by when they are forgotten; one entry per such agent at most
  private final PriorityQueue<Deadline> evictions = new PriorityQueue<>();
  private Scheduler.@Nullable Cancellable timer;
  private @Nullable Instant timerAt;
  private long timerGeneration;
  private boolean closing; // no more timers; messages in flight are still taken into account
  private boolean closed;

  LivenessTracker(Scheduler scheduler, Duration deadAfter, int maxAgents, Duration retention,
      List<MonitorListener> listeners) {
    this.scheduler = scheduler;
    this.deadAfter = deadAfter;
    this.maxAgents = maxAgents;
    this.retention = retention;
    this.listeners = new CopyOnWriteArrayList<>(listeners);
  }

  void addListener(MonitorListener listener) {
    listeners.add(listener);
  }

  /** Stops marking agents dead (no timer any more); messages are still taken into account. */
  void stopTimers() {
    synchronized (lock) {
      closing = true;
      cancelTimer();
    }
  }

  /** Stops everything: messages are ignored from now on, and no event follows. Idempotent. */
  void close() {
    synchronized (lock) {
      closing = true;
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

  // ------------------------------------------------------------------ input

  /**
   * Takes one message into account: a sign of life, or a leave for a {@code status_update} whose
   * status is {@code offline}. Ignored once closed.
   */
  void observe(AgentMessage message) {
    observed.increment();
    record(message.fromAgent(), message);
  }

  /**
   * Takes a sign of life that came without a message into account (an agent answering
   * discovery). Ignored once closed.
   */
  void seen(String id) {
    record(id, null);
  }

  private void record(String id, @Nullable AgentMessage message) {
    boolean heartbeat = message != null && message.messageType().equals(MessageType.HEARTBEAT);
    boolean statusUpdate = message != null
        && message.messageType().equals(MessageType.STATUS_UPDATE);
    Object statusValue = message == null ? null : message.content().get("status");
    String status = statusValue instanceof String ? (String) statusValue : null;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = scheduler.now();
      Entry e = entries.get(id);
      boolean isNew = e == null;
      if (e == null) {
        e = admit(id, now);
        if (e == null) {
          return;
        }
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
        scheduleEviction(e, now);
        if (before != null && before != Liveness.OFFLINE) {
          emit(AgentEvent.Kind.LEFT, e, now);
        }
      } else {
        alive(e, isNew, now);
      }
    }
    events.dispatch();
  }

  /** Called with the lock held. */
  private void alive(Entry e, boolean isNew, Instant now) {
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

  /**
   * A new entry for {@code id}, or null when the registry is full of agents still alive (the
   * agent is refused, counted and logged, rate-limited). When full, the agent that left or died
   * first makes room, however recently.
   * Called with the lock held.
   */
  private @Nullable Entry admit(String id, Instant now) {
    if (entries.size() >= maxAgents) {
      Deadline oldest;
      while ((oldest = evictions.poll()) != null) {
        Entry victim = oldest.entry;
        victim.evictionQueued = false;
        if (victim.liveness != Liveness.ALIVE && entries.get(victim.id) == victim) {
          entries.remove(victim.id);
          evicted.increment();
          break;
        }
      }
      if (entries.size() >= maxAgents) {
        refused.increment();
        refusals.warn("The orchestrator monitor is full ({} agents, all alive, "
            + "agentbus.monitor.max-agents); ignoring agent '{}' and any other new agent until "
            + "one leaves or dies ({} refused so far)", maxAgents, id, refused.sum());
        return null;
      }
    }
    Entry e = new Entry(id, now);
    entries.put(id, e);
    return e;
  }

  /** Queues {@code e} to be forgotten after the retention. Called with the lock held. */
  private void scheduleEviction(Entry e, Instant now) {
    e.evictAt = now.plus(retention);
    if (!e.evictionQueued) {
      evictions.add(new Deadline(e.evictAt, e));
      e.evictionQueued = true;
      ensureTimer(now);
    }
  }

  // ------------------------------------------------------------------ dead detection

  /** Called with the lock held. */
  private void ensureTimer(Instant now) {
    Deadline head = deadlines.peek();
    Deadline evict = evictions.peek();
    if (head == null || (evict != null && evict.at.isBefore(head.at))) {
      head = evict;
    }
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
          scheduleEviction(e, e.deadline);
          emit(AgentEvent.Kind.DEAD, e, e.deadline);
        } else {
          // heard from since this deadline was queued: one queue entry per agent, moved on lazily
          deadlines.add(new Deadline(e.deadline, e));
          e.queued = true;
        }
      }
      while ((d = evictions.peek()) != null && !d.at.isAfter(now)) {
        evictions.poll();
        Entry e = d.entry;
        e.evictionQueued = false;
        if (e.liveness == Liveness.ALIVE || entries.get(e.id) != e) {
          continue; // came back, or already made room
        }
        if (e.evictAt.isAfter(now)) {
          evictions.add(new Deadline(e.evictAt, e)); // left again since: forgotten later
          e.evictionQueued = true;
        } else {
          entries.remove(e.id);
          evicted.increment();
          log.debug("Agent '{}' forgotten: {} since {}", e.id, e.liveness, e.lastSeen);
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
  Set<String> aliveAgents() {
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
  List<AgentStatus> agents() {
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
  Optional<AgentStatus> status(String agentId) {
    synchronized (lock) {
      Entry e = entries.get(agentId);
      return e == null ? Optional.empty() : Optional.of(e.snapshot());
    }
  }

  /** True when {@code agentId} is known and alive. */
  boolean isAlive(String agentId) {
    synchronized (lock) {
      Entry e = entries.get(agentId);
      return e != null && e.liveness == Liveness.ALIVE;
    }
  }

  /** How many agents it has heard of. */
  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /** How many messages it has taken into account since it was built. */
  long observedMessages() {
    return observed.sum();
  }

  /** How many new agents it ignored because it was full. */
  long refusedAgents() {
    return refused.sum();
  }

  /** How many agents that left or died it has forgotten. */
  long evictedAgents() {
    return evicted.sum();
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
    Instant evictAt;
    boolean evictionQueued;

    Entry(String id, Instant now) {
      this.id = id;
      this.firstSeen = now;
      this.lastSeen = now;
      this.deadline = now;
      this.evictAt = now;
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
}
