package io.agentbus.cli;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a dashboard costs the bus (docs/performance.md): 1,000 agents heartbeating every second
 * on 10 connections, plus a request/reply loop between two agents, measured for a window without
 * and then with a dashboard watching. Prints the loop's requests per second in each window and
 * the CPU seconds the dashboard process used (from /proc/PID/stat) per wall second.
 *
 * <p>{@code java -cp <test classpath> io.agentbus.cli.DashboardCost NATS_URL DASHBOARD_PID|-
 * SECONDS}: run once with {@code -} (no dashboard), once with the pid of a running {@code agentbus
 * dashboard}. Not a test: its figures depend on the machine.
 */
final class DashboardCost {
  private DashboardCost() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    long pid = args[1].equals("-") ? -1 : Long.parseLong(args[1]);
    int seconds = Integer.parseInt(args[2]);
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of("agentbus.transport", "nats",
        "agentbus.nats.url", url, "agentbus.shutdown-hook", "false"));
    List<MessageBus> buses = new ArrayList<>();
    ScheduledExecutorService beats = Executors.newScheduledThreadPool(2);
    try {
      for (int c = 0; c < 10; c++) {
        MessageBus bus = config.newMessageBus();
        buses.add(bus);
        for (int a = 0; a < 100; a++) {
          String id = "load-agent-" + (c * 100 + a);
          beats.scheduleAtFixedRate(() -> bus.endpoint(id).broadcast(MessageType.HEARTBEAT,
              Map.of("status", "alive")), (c * 100 + a), 1000, TimeUnit.MILLISECONDS);
        }
      }
      MessageBus responder = config.newMessageBus();
      buses.add(responder);
      responder.subscribeToAgentMessages("architect-001", d -> {
        if (d.isRequest()) {
          d.reply(MessageType.RESOURCE_RESPONSE, Map.of("resource", "task_model"));
        }
      });
      MessageBus requester = config.newMessageBus();
      buses.add(requester);
      responder.flush(Duration.ofSeconds(5));
      var parser = requester.endpoint("parser-dev-001");
      long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < warmEnd) {
        parser.request("architect-001", MessageType.RESOURCE_REQUEST, Map.of("resource", "x"));
      }
      long cpuBefore = cpuTicks(pid);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long requests = 0;
      while (System.nanoTime() < end) {
        parser.request("architect-001", MessageType.RESOURCE_REQUEST, Map.of("resource", "x"));
        requests++;
      }
      double wall = (System.nanoTime() - start) / 1e9;
      long cpuAfter = cpuTicks(pid);
      System.out.printf("DASHBOARD-COST dashboard=%s requests/s=%.0f dashboard-cpu=%s%n",
          pid < 0 ? "off" : "on", requests / wall,
          pid < 0 ? "-" : String.format("%.1f%% of one core", (cpuAfter - cpuBefore) / 100.0
              / wall * 100));
    } finally {
      beats.shutdownNow();
      buses.forEach(MessageBus::close);
    }
  }

  /** utime + stime of a process in clock ticks (100 per second on Linux). */
  private static long cpuTicks(long pid) throws Exception {
    if (pid < 0) {
      return 0;
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
