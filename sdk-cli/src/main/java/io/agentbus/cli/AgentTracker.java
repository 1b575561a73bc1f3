package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.Subscription;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Agents as their heartbeats and status updates show them. An agent is late once it missed one
 * heartbeat (1.5 intervals without one), dead after {@code deadAfter} (the monitor's rule) and
 * offline once it announced {@code status_update {"status": "offline"}}. Teams, handled types and
 * version are read from the heartbeat's content ({@code teams}, {@code handles}, {@code version})
 * when an agent puts them there.
 */
final class AgentTracker implements AgentSource {
  private final MessageBus bus;
  private final Duration heartbeatInterval;
  private final Duration deadAfter;
  private final Object lock = new Object();
  private final Map<String, Entry> entries = new HashMap<>(); // guarded by lock
  private final List<Subscription> subscriptions = new ArrayList<>();

  AgentTracker(MessageBus bus, Duration heartbeatInterval, Duration deadAfter) {
    this.bus = bus;
    this.heartbeatInterval = heartbeatInterval;
    this.deadAfter = deadAfter;
  }

  @Override
  public void start(Runnable onChange) {
    for (MessageType type : List.of(MessageType.HEARTBEAT, MessageType.STATUS_UPDATE)) {
      subscriptions.add(bus.subscribeToBroadcasts(type, d -> {
        observe(d.message(), Instant.now());
        onChange.run();
      }));
    }
  }

  /**
   * Reads the heartbeats and status updates of the last {@code deadAfter} from a stream that keeps
   * broadcasts ({@code agentbus.history.broadcasts.max-age} on the agents' side), so the agents are
   * known at once instead of after a heartbeat interval.
   *
   * @return whether such a stream exists (and was read)
   */
  @Override
  public boolean catchUp(Session session) throws InterruptedException {
    boolean fromHistory = readHistory(session);
    return discover(session) || fromHistory;
  }

  /**
   * Asks the discovery protocol which agents are there: teams, handled types and version for
   * every AgentBus agent that answers within {@value #DISCOVERY_MILLIS} ms, marked heard from now.
   * Agents that only heartbeat (the seed's Python agents) are not among them.
   *
   * @return whether any agent answered
   */
  private boolean discover(Session session) throws InterruptedException {
    List<AgentInfo> found;
    try {
      found = AgentDirectory.of(session.bus()).list(Duration.ofMillis(DISCOVERY_MILLIS));
    } catch (RuntimeException e) {
      return false; // a server or user without discovery: heartbeats alone
    }
    Instant now = Instant.now();
    synchronized (lock) {
      for (AgentInfo info : found) {
        Entry e = entries.computeIfAbsent(info.agentId(), id -> new Entry(now));
        if (e.lastHeartbeat == null || e.lastHeartbeat.isBefore(now)) {
          e.lastHeartbeat = now;
        }
        e.teams = info.teams().stream().sorted().toList();
        e.handles = info.messageTypes().stream().map(MessageType::wireName).sorted().toList();
        e.version = info.version();
      }
    }
    return !found.isEmpty();
  }

  static final long DISCOVERY_MILLIS = 500;

  private boolean readHistory(Session session) throws InterruptedException {
    var streams = session.transport().durableStreams();
    if (streams.isEmpty()) {
      return false;
    }
    JetStreamApi api = new JetStreamApi(session.transport(), Duration.ofSeconds(5));
    String heartbeats = session.subjects().broadcast(MessageType.HEARTBEAT);
    List<String> kept;
    try {
      kept = api.streamNames(heartbeats);
    } catch (CliException noJetStream) {
      return false;
    }
    if (kept.isEmpty()) {
      return false;
    }
    Instant since = Instant.now().minus(deadAfter);
    for (MessageType type : List.of(MessageType.HEARTBEAT, MessageType.STATUS_UPDATE)) {
      try {
        streams.get().replay(new io.agentbus.spi.ReplaySpec(kept.get(0),
            session.subjects().broadcast(type), since, 1), stored -> {
              var raw = stored.message();
              try {
                observe(session.codecFor(raw).decode(raw.payload()), stored.storedAt());
              } catch (io.agentbus.CodecException unreadable) {
                // tail shows such messages; a directory has nothing to learn from them
              }
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new CliException(ExitCode.FAILED, "Could not read the kept broadcasts of "
            + kept.get(0) + ": " + e.getMessage() + " (run with --wait to listen instead).", e);
      }
    }
    return true;
  }

  void observe(AgentMessage m, Instant now) {
    boolean heartbeat = m.messageType().equals(MessageType.HEARTBEAT);
    Object status = m.content().get("status");
    synchronized (lock) {
      Entry e = entries.computeIfAbsent(m.fromAgent(), id -> new Entry(now));
      if (heartbeat && e.offlineAt != null && !m.timestamp().isAfter(e.offlineAt)) {
        return; // a heartbeat sent before the agent said goodbye, arriving after it
      }
      if (heartbeat) {
        e.lastHeartbeat = now;
        e.offline = false;
        e.offlineAt = null;
        e.teams = strings(m.content().get("teams"), e.teams);
        e.handles = strings(m.content().get("handles"), e.handles);
        Object v = m.content().get("version");
        e.version = v == null ? e.version : v.toString();
      } else {
        e.offline = "offline".equals(status);
        e.offlineAt = e.offline ? m.timestamp() : null;
      }
      if (status != null) {
        e.status = status.toString();
      }
    }
  }

  private static List<String> strings(@Nullable Object value, List<String> before) {
    if (value instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    return value == null ? before : List.of(value.toString());
  }

  @Override
  public List<AgentView> agents(Instant now) {
    List<AgentView> out = new ArrayList<>();
    synchronized (lock) {
      entries.forEach((id, e) -> {
        Instant last = e.lastHeartbeat != null ? e.lastHeartbeat : e.firstSeen;
        Duration age = Duration.between(last, now);
        AgentView.State state;
        if (e.offline) {
          state = AgentView.State.OFFLINE;
        } else if (age.compareTo(deadAfter) >= 0) {
          state = AgentView.State.DEAD;
        } else if (age.compareTo(heartbeatInterval.multipliedBy(3).dividedBy(2)) > 0) {
          state = AgentView.State.LATE;
        } else {
          state = AgentView.State.ALIVE;
        }
        out.add(new AgentView(id, state, e.firstSeen, e.lastHeartbeat, age, e.status, e.teams,
            e.handles, e.version));
      });
    }
    out.sort(Comparator.comparing(AgentView::id));
    return out;
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::unsubscribe);
    subscriptions.clear();
  }

  private static final class Entry {
    final Instant firstSeen;
    @Nullable Instant lastHeartbeat;
    @Nullable String status;
    boolean offline;
    @Nullable Instant offlineAt;
    List<String> teams = List.of();
    List<String> handles = List.of();
    @Nullable String version;

    Entry(Instant firstSeen) {
      this.firstSeen = firstSeen;
    }
  }
}
