package io.agentbus.benchmarks;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Beyond one process: template agents spread over several agent processes (JVMs), each connected
 * to a different node of a NATS cluster started here on free loopback ports; every agent asks one
 * random other agent (mostly in another process, behind another node) a question, and each
 * answer is checked. Prints per process the start and close times, answered and failed counts
 * (failures by kind), p50 and p99 latency of the questions, threads gained and heap. Too heavy
 * for CI at full size; {@code bench/run.sh cluster} runs 10,000 agents in three processes.
 *
 * <pre>
 * ClusterScale [--agents N] [--processes P] [--heap 1g] [--out DIR]
 * </pre>
 */
public final class ClusterScale {
  private static final String PREFIX = "CLUSTER ";
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(10);

  /** What one agent process reported, by phase ({@code READY}, {@code ASKED}, ...). */
  record ProcessFigures(int process, String node, int agents, Map<String, Map<String, String>>
      phases) {
    String get(String phase, String key) {
      return phases.getOrDefault(phase, Map.of()).getOrDefault(key, "?");
    }

    long number(String phase, String key) {
      return Long.parseLong(get(phase, key));
    }
  }

  private ClusterScale() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("agents")) {
      ClusterScaleAgents.run(java.util.Arrays.copyOfRange(args, 1, args.length));
      System.exit(0);
    }
    int agents = 10_000;
    int processes = 3;
    String heap = "1g";
    Path out = Path.of("sdk-benchmarks", "target", "bench-results", "cluster-"
        + LocalDateTime.now(ZoneOffset.UTC).toString().replace(':', '-'));
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i++]) {
        case "--agents" -> agents = Integer.parseInt(value);
        case "--processes" -> processes = Integer.parseInt(value);
        case "--heap" -> heap = value;
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i - 1]
            + "'. Usage: ClusterScale [--agents N] [--processes P] [--heap 1g] [--out DIR]");
      }
    }
    List<ProcessFigures> figures = run(agents, processes, heap, out);
    String table = table(figures);
    System.out.print(table);
    Files.writeString(out.resolve("cluster.md"), table, StandardCharsets.UTF_8);
    System.out.println("# saved cluster.md and the logs in " + out);
    System.exit(0);
  }

  /**
   * Runs {@code agents} agents in {@code processes} agent processes on a cluster of as many
   * nodes, each process on its own node; logs go to {@code out}.
   */
  static List<ProcessFigures> run(int agents, int processes, String heap, Path out)
      throws Exception {
    Files.createDirectories(out);
    List<Path> logs = new ArrayList<>();
    for (int i = 1; i <= processes; i++) {
      logs.add(out.resolve("nats-n" + i + ".log"));
    }
    List<NatsServerProcess> nodes = NatsServerProcess.startCluster(NatsServerProcess.findBinary(),
        "agentbus-scale", logs);
    List<AgentProcess> running = new ArrayList<>();
    try {
      awaitRoutes(nodes);
      System.out.println("# " + processes + "-node cluster up (" + nodes.get(0).version()
          + "); load " + BenchmarkMain.loadAverage());
      long seed = 21;
      for (int p = 0; p < processes; p++) {
        int first = (int) ((long) agents * p / processes);
        int count = (int) ((long) agents * (p + 1) / processes) - first;
        running.add(AgentProcess.start(p, nodes.get(p).url(), first, count, agents, seed, heap,
            out.resolve("agents-" + (p + 1) + ".log")));
      }
      for (String phase : List.of("READY", "GO:ASKED", "AFTER", "CLOSE:CLOSED")) {
        String[] step = phase.split(":");
        if (step.length == 2) {
          running.forEach(a -> a.send(step[0]));
        }
        for (AgentProcess a : running) {
          a.await(step[step.length - 1]);
        }
        System.out.println("# " + step[step.length - 1] + " from all; load "
            + BenchmarkMain.loadAverage());
      }
      List<ProcessFigures> result = new ArrayList<>();
      for (AgentProcess a : running) {
        a.exit();
        result.add(a.figures());
      }
      return result;
    } finally {
      running.forEach(AgentProcess::kill);
      nodes.forEach(NatsServerProcess::close);
    }
  }

  /** Waits until a message from every node reaches a subscriber on every other node. */
  private static void awaitRoutes(List<NatsServerProcess> nodes) throws Exception {
    List<Connection> connections = new ArrayList<>();
    try {
      for (NatsServerProcess n : nodes) {
        connections.add(Nats.connect(n.url()));
      }
      for (int to = 0; to < nodes.size(); to++) {
        Connection c = connections.get(to);
        Dispatcher d = c.createDispatcher(m -> c.publish(m.getReplyTo(), new byte[0]));
        d.subscribe("routes.check." + to);
        c.flush(Duration.ofSeconds(5));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int from = 0; from < nodes.size(); from++) {
        for (int to = 0; to < nodes.size(); to++) {
          while (true) {
            try {
              connections.get(from).request("routes.check." + to, new byte[0])
                  .get(1, TimeUnit.SECONDS);
              break;
            } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The cluster's routes did not form within 30 s: "
                    + "node " + (from + 1) + " cannot reach a subscriber on node " + (to + 1), e);
              }
              Thread.sleep(100);
            }
          }
        }
      }
    } finally {
      for (Connection c : connections) {
        c.close();
      }
    }
  }

  static String table(List<ProcessFigures> figures) {
    StringBuilder b = new StringBuilder();
    b.append("| process | node | agents | start (s) | asked | answered | failed | p50 (ms) "
        + "| p99 (ms) | asking took (s) | close (s) | threads gained | heap after GC (MB) "
        + "| heap/agent (KiB) |\n");
    b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ProcessFigures f : figures) {
      b.append(String.format(Locale.ROOT,
          "| %d | %s | %,d | %.2f | %s | %s | %s | %.1f | %.1f | %.2f | %.2f | %s | %s | %s |%n",
          f.process() + 1, "n" + (f.process() + 1) + " :" + f.node().replaceAll(".*:", ""),
          f.agents(), f.number("READY", "startMillis") / 1e3,
          f.get("ASKED", "asked"), f.get("ASKED", "answered"), f.get("ASKED", "failed"),
          f.number("ASKED", "p50us") / 1e3, f.number("ASKED", "p99us") / 1e3,
          f.number("ASKED", "askMillis") / 1e3, f.number("CLOSED", "closeMillis") / 1e3,
          f.get("READY", "threads"), f.get("READY", "heapMb"),
          f.get("READY", "heapKibPerAgent")));
    }
    for (ProcessFigures f : figures) {
      String failures = f.get("ASKED", "failures");
      if (!failures.equals("none")) {
        b.append("\nprocess ").append(f.process() + 1).append(" failures: ").append(failures);
      }
      b.append(String.format(Locale.ROOT, "%nprocess %d after asking: threads %s, heap %s MB, "
          + "dropped %s, handler failures %s", f.process() + 1, f.get("AFTER", "threads"),
          f.get("AFTER", "heapMb"), f.get("AFTER", "dropped"), f.get("AFTER", "handlerFailures")));
    }
    return b.append('\n').toString();
  }

  /** One agent JVM: its input takes the coordinator's words, its output gives its figures. */
  private static final class AgentProcess {
    private final int index;
    private final String node;
    private final int agents;
    private final Process process;
    private final PrintWriter toProcess;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Map<String, Map<String, String>> phases = new LinkedHashMap<>();

    private AgentProcess(int index, String node, int agents, Process process, Path log)
        throws IOException {
      this.index = index;
      this.node = node;
      this.agents = agents;
      this.process = process;
      this.toProcess = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      Writer logWriter = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> read(logWriter), "cluster-scale-reader-" + index);
      reader.setDaemon(true);
      reader.start();
    }

    static AgentProcess start(int index, String node, int first, int count, int total,
        long seed, String heap, Path log) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx" + heap, "-cp",
          System.getProperty("java.class.path"), ClusterScale.class.getName(), "agents", node,
          Integer.toString(first), Integer.toString(count), Integer.toString(total),
          Long.toString(seed))
          .redirectErrorStream(true).start();
      return new AgentProcess(index, node, count, p, log);
    }

    private void read(Writer log) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); log) {
        String line;
        while ((line = r.readLine()) != null) {
          log.write(line);
          log.write('\n');
          if (line.startsWith(PREFIX)) {
            lines.add(line.substring(PREFIX.length()));
          }
        }
      } catch (IOException e) {
        lines.add("EXIT reading its output failed: " + e);
      }
      lines.add("EXIT");
    }

    void send(String word) {
      toProcess.println(word);
    }

    void await(String phase) throws InterruptedException {
      String line = lines.poll(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null || !line.startsWith(phase + " ") && !line.equals(phase)) {
        throw new IllegalStateException("Agent process " + (index + 1) + " (" + node + ") did "
            + "not report " + phase + " within " + PHASE_TIMEOUT.toMinutes() + " min but '"
            + line + "'; see its log");
      }
      Map<String, String> figures = new LinkedHashMap<>();
      for (String pair : line.substring(phase.length()).trim().split(" ")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          figures.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      phases.put(phase, figures);
    }

    void exit() throws InterruptedException {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Agent process " + (index + 1) + " did not exit");
      }
    }

    void kill() {
      process.destroyForcibly();
    }

    ProcessFigures figures() {
      return new ProcessFigures(index, node, agents, phases);
    }
  }
}
