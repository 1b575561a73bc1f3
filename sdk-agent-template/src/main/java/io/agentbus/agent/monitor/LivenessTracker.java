package io.agentbus.agent.monitor;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
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
  private boolean closing; // no more timers; messages in flight are still taken into account
  private boolean closed;

  LivenessTracker(Scheduler scheduler, Duration deadAfter, List<MonitorListener> listeners) {
    this.scheduler = scheduler;
    this.deadAfter = deadAfter;
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
}
