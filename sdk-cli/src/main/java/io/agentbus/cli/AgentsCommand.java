package io.agentbus.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentbus agents}: the live agents, from their heartbeats. */
@Command(name = "agents", mixinStandardHelpOptions = true,
    description = {"List the agents of the mesh with their state (alive, late, dead, offline), "
        + "heartbeat age, status, teams, handled types and version.",
        "Agents are found through the discovery protocol and the heartbeats kept in a "
            + "broadcast stream; when neither answers, the command listens for one heartbeat "
            + "interval (--wait) before it prints. Agents that only heartbeat appear once heard. "
            + "--watch follows changes until Ctrl-C."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:agents listed", "3:no NATS server", "4:permission denied",
        "5:no agent heard within --wait"})
final class AgentsCommand implements Callable<Integer> {
  static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private final CliIo io;

  @Mixin CommonOptions common;

  @Option(names = {"-w", "--wait"}, paramLabel = "DURATION", converter = Durations.class,
      description = "How long to listen before printing (default: nothing when discovery or "
          + "kept broadcasts answered, else the heartbeat interval agentbus.heartbeat.interval "
          + "plus 1s).")
  @Nullable Duration wait;

  @Option(names = "--watch", description = "Keep running and print each change (an agent "
      + "joins, is late, dies, goes offline, comes back) until Ctrl-C.")
  boolean watch;

  AgentsCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    var config = common.config(io);
    try (Session session = Session.open(config);
        AgentSource directory = new AgentTracker(session.bus(),
            config.heartbeatInterval(), config.deadAfter())) {
      Semaphore changed = new Semaphore(0);
      directory.start(changed::release);
      // discovery or kept broadcasts know the agents at once; otherwise listen a heartbeat interval
      boolean fromHistory = directory.catchUp(session);
      if (watch) {
        session.flush();
        io.err().println("agentbus agents: watching namespace '" + config.namespace()
            + "' (Ctrl-C to stop)");
        io.err().flush();
        watch(directory, changed);
        return ExitCode.OK;
      }
      Duration listen = wait != null ? wait
          : fromHistory ? Duration.ZERO : config.heartbeatInterval().plusSeconds(1);
      try {
        Thread.sleep(listen.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<AgentView> agents = directory.agents(Instant.now());
      print(agents);
      if (agents.isEmpty()) {
        io.err().println("agentbus: no agent heard within " + Durations.format(listen)
            + " in namespace '" + config.namespace() + "': check that agents run against this "
            + "server and namespace (--namespace), or listen longer (--wait).");
        return ExitCode.NOT_FOUND;
      }
      return ExitCode.OK;
    }
  }

  private void print(List<AgentView> agents) {
    if (common.json) {
      io.out().println(Json.line(agents.stream().map(AgentsCommand::json).toList()));
      return;
    }
    String format = "%-24s %-8s %-10s %-10s %-16s %-24s %s%n";
    io.out().printf(format, "AGENT", "STATE", "HEARTBEAT", "STATUS", "TEAMS", "HANDLES",
        "VERSION");
    for (AgentView a : agents) {
      io.out().printf(format, a.id(), a.state().label(),
          a.lastHeartbeat() == null ? "never" : Durations.format(a.heartbeatAge()) + " ago",
          dash(a.status()), dash(String.join(",", a.teams())), dash(String.join(",", a.handles())),
          dash(a.version()));
    }
  }

  private static String dash(@Nullable String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  static Map<String, @Nullable Object> json(AgentView a) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("agent", a.id());
    m.put("state", a.state().label());
    m.put("last_heartbeat", a.lastHeartbeat() == null ? null : a.lastHeartbeat().toString());
    m.put("heartbeat_age_ms", a.lastHeartbeat() == null ? null : a.heartbeatAge().toMillis());
    m.put("status", a.status());
    m.put("teams", a.teams());
    m.put("handles", a.handles());
    m.put("version", a.version());
    return m;
  }

  /** Prints a line per change of state until interrupted (Ctrl-C). */
  @SuppressWarnings("try") // UntilStopped is only closed, which ends the Ctrl-C wait
  private void watch(AgentSource directory, Semaphore changed) {
    Map<String, AgentView.State> known = new HashMap<>();
    try (UntilStopped stop = new UntilStopped()) {
      while (!Thread.currentThread().isInterrupted()) {
        for (AgentView a : directory.agents(Instant.now())) {
          AgentView.State before = known.put(a.id(), a.state());
          if (before != a.state()) {
            printChange(a, before);
          }
        }
        io.out().flush();
        try {
          // a message or a second, whichever first: states also change by time passing
          changed.tryAcquire(1, TimeUnit.SECONDS);
          changed.drainPermits();
        } catch (InterruptedException e) {
          break;
        }
      }
    }
  }

  private void printChange(AgentView a, AgentView.@Nullable State before) {
    String event = before == null ? "joined"
        : a.state() == AgentView.State.ALIVE ? "back" : a.state().label();
    if (common.json) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("time", Instant.now().toString());
      m.put("event", event);
      m.putAll(json(a));
      io.out().println(Json.line(m));
    } else {
      io.out().printf("%s %-24s %-7s %s%n", LocalTime.now(ZoneId.systemDefault()).format(CLOCK),
          a.id(), event, before == null ? "(" + a.state().label() + ")"
              : "(was " + before.label() + ", heartbeat " + Durations.format(a.heartbeatAge())
                  + " ago)");
    }
  }
}
