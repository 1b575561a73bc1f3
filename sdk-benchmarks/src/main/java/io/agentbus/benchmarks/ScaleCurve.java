package io.agentbus.benchmarks;

import io.agentbus.Agent;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How the cost of a process grows with its agents, on each transport: for 1, 100, 1,000 and
 * 10,000 template agents (one request handler and one plain handler each) on one bus, the time to
 * start them all and to close them all, the threads the process gained while they run, the heap
 * per agent, and the process's CPU share over a window while they only heartbeat; then a
 * broadcast fanned out to 1, 100 and 1,000 subscriptions of one bus (deliveries per second of a
 * burst, and the 99th percentile of the delay from publish to handler of messages sent one at a
 * time). Each point is measured once, in this
 * one JVM, so it is a curve, not a precise figure: these are process-level one-shot timings,
 * which JMH's iterations do not fit. {@code bench/run.sh scale} runs it beside a nats-server of
 * its own and writes {@code scale.md} (a table) and {@code scale.svg} (the chart).
 */
public final class ScaleCurve {
  static final int[] AGENTS = {1, 100, 1_000, 10_000};
  static final int[] SUBSCRIBERS = {1, 100, 1_000};
  static final String[] TRANSPORTS = {BusFixture.INMEMORY, BusFixture.NATS};
  /** The heartbeat interval while the CPU window runs: the seed's 30 s. */
  static final Duration HEARTBEAT = AgentContext.DEFAULT_HEARTBEAT_INTERVAL;
  static final Duration CPU_WINDOW = Duration.ofSeconds(5);

  /** One row of the agents table. */
  record AgentsPoint(String transport, int agents, double startSeconds, double closeSeconds,
      int threads, double heapKibPerAgent, double cpuShare) {}

  /** One row of the fan-out table. */
  record FanOutPoint(String transport, int subscribers, int messages, double deliveriesPerSecond,
      double p99Micros, long dropped) {}

  private static final class TemplateAgent extends AbstractAgent {
    TemplateAgent(String id, AgentContext context) {
      super(id, context);
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.QUESTION, MessageType.ANSWER, request -> Map.of("answer", id()));
      h.on(MessageType.STATUS_UPDATE, d -> { });
    }
  }

  private ScaleCurve() {}

  /** Measures every point and writes {@code scale.md} and {@code scale.svg} into {@code out}. */
  static void run(Path out) throws Exception {
    run(out, AGENTS, true);
  }

  /**
   * Measures the agents points for {@code counts} on each transport, and the fan-out points if
   * {@code withFanOut}; writes {@code scale.md} and {@code scale.svg} into {@code out}.
   */
  static void run(Path out, int[] counts, boolean withFanOut) throws Exception {
    Files.createDirectories(out);
    List<AgentsPoint> agents = new ArrayList<>();
    List<FanOutPoint> fanOut = new ArrayList<>();
    for (String transport : TRANSPORTS) {
      for (int n : counts) {
        AgentsPoint p = agents(transport, n);
        System.out.println("# " + p);
        agents.add(p);
      }
      for (int k : withFanOut ? SUBSCRIBERS : new int[0]) {
        FanOutPoint p = fanOut(transport, k);
        System.out.println("# " + p);
        fanOut.add(p);
      }
    }
    String table = table(agents, fanOut);
    System.out.print(table);
    Files.writeString(out.resolve("scale.md"), table, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("scale.svg"), ScaleChart.svg(agents, fanOut),
        StandardCharsets.UTF_8);
    System.out.println("# saved scale.md and scale.svg in " + out);
  }

  static AgentsPoint agents(String transport, int n) throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    double heapBefore = MeasurementWindow.heapAfterGcMb();
    Transport[] pair = BusFixture.transports(transport, "scale-" + n, "scale-peer-" + n);
    pair[1].close(); // one transport, as one process has
    Transport t = pair[0];
    MessageBus bus = MessageBus.builder().transport(t).codec(Codecs.named(Codecs.JSON)).build();
    AgentContext context = AgentContext.builder(bus).heartbeatInterval(HEARTBEAT).build();
    long t0 = System.nanoTime();
    List<Agent> started = startAll(context, 0, n);
    bus.flush(Duration.ofSeconds(30));
    double startSeconds = (System.nanoTime() - t0) / 1e9;
    int threads = settledThreads(before);
    double heapKib = (MeasurementWindow.heapAfterGcMb() - heapBefore) * 1024 / n;
    long cpu0 = MeasurementWindow.processCpuNanos();
    long w0 = System.nanoTime();
    Thread.sleep(CPU_WINDOW.toMillis());
    double cpuShare = (double) (MeasurementWindow.processCpuNanos() - cpu0)
        / (System.nanoTime() - w0);
    long c0 = System.nanoTime();
    stopAll(started);
    bus.close();
    double closeSeconds = (System.nanoTime() - c0) / 1e9;
    return new AgentsPoint(transport, n, startSeconds, closeSeconds, threads, heapKib, cpuShare);
  }

  /**
   * Starts the template agents {@code scale-<first>} .. {@code scale-<first + count - 1>} (ids of
   * five digits), 500 at a time (starts run on the template's shared start/stop threads), and
   * returns them once all run.
   */
  static List<Agent> startAll(AgentContext context, int first, int count) throws Exception {
    List<Agent> started = new ArrayList<>(count);
    int batch = 500;
    for (int i = first; i < first + count; i += batch) {
      List<Agent> starting = new ArrayList<>();
      for (int j = i; j < Math.min(first + count, i + batch); j++) {
        starting.add(new TemplateAgent(agentId(j), context).startAsync());
      }
      for (Agent a : starting) {
        a.awaitRunning(Duration.ofSeconds(120));
      }
      started.addAll(starting);
    }
    return started;
  }

  /** The id of the template agent number {@code i}: what it answers a question with. */
  static String agentId(int i) {
    return String.format("scale-%05d", i);
  }

  /** Stops all {@code agents} at once and waits until every one has terminated. */
  static void stopAll(List<Agent> agents) throws Exception {
    agents.forEach(Agent::stopAsync);
    for (Agent a : agents) {
      a.awaitTerminated(Duration.ofSeconds(120));
    }
  }

  /**
   * Threads gained since {@code before}, once the short-lived start threads have ended (the
   * template's shared start/stop threads end after a second idle).
   */
  static int settledThreads(Set<Thread> before) throws InterruptedException {
    int last = Integer.MAX_VALUE;
    for (int i = 0; i < 50; i++) {
      List<Thread> gained = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && !before.contains(t)).toList();
      int now = gained.size();
      boolean starting = gained.stream()
          .anyMatch(t -> t.getName().startsWith("agentbus-lifecycle-")
              || t.getName().endsWith("-start"));
      if (now >= last && !starting) {
        return now;
      }
      last = now;
      Thread.sleep(100);
    }
    return last;
  }

  /**
   * Two phases on one publisher bus and one subscriber bus with {@code subscribers}
   * subscriptions to one broadcast type: a burst published as fast as possible gives deliveries
   * per second; then messages one at a time (the next once every subscription has the last) give
   * the delay from publish to handler without a backlog, whose 99th percentile is reported.
   */
  static FanOutPoint fanOut(String transport, int subscribers) throws Exception {
    int messages = Math.max(50, 50_000 / subscribers);
    int paced = Math.max(20, 5_000 / subscribers);
    Transport[] ts = BusFixture.transports(transport, "fanout-pub", "fanout-sub");
    MessageBus pub = MessageBus.builder().transport(ts[0]).codec(Codecs.named(Codecs.JSON))
        .build();
    MessageBus sub = MessageBus.builder().transport(ts[1]).codec(Codecs.named(Codecs.JSON))
        .build();
    try {
      long[] delays = new long[paced * subscribers];
      AtomicInteger next = new AtomicInteger();
      AtomicInteger received = new AtomicInteger();
      AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
      for (int i = 0; i < subscribers; i++) {
        sub.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> {
          received.incrementAndGet();
          Object sent = d.message().content().get("paced");
          if (sent != null) {
            int slot = next.getAndIncrement();
            if (slot < delays.length) {
              delays[slot] = System.nanoTime() - ((Number) sent).longValue();
            }
          }
          gate.get().countDown();
        });
      }
      sub.flush(Duration.ofSeconds(30));
      int total = messages * subscribers;
      CountDownLatch burst = new CountDownLatch(total);
      gate.set(burst);
      long t0 = System.nanoTime();
      for (int m = 0; m < messages; m++) {
        pub.endpoint("fanout").broadcast(MessageType.STATUS_UPDATE, Map.of("burst", m));
      }
      pub.flush(Duration.ofSeconds(30));
      boolean done = burst.await(120, TimeUnit.SECONDS);
      double perSecond = received.get() / ((System.nanoTime() - t0) / 1e9);
      long dropped = sub.transportStats().dropped() + (done ? 0 : total - received.get());
      for (int m = 0; m < paced; m++) {
        CountDownLatch one = new CountDownLatch(subscribers);
        gate.set(one);
        pub.endpoint("fanout").broadcast(MessageType.STATUS_UPDATE,
            Map.of("paced", System.nanoTime()));
        if (!one.await(30, TimeUnit.SECONDS)) {
          dropped += one.getCount();
        }
      }
      int got = Math.min(next.get(), delays.length);
      long[] seen = Arrays.copyOf(delays, got);
      Arrays.sort(seen);
      double p99 = got == 0 ? Double.NaN : seen[Math.min(got - 1, (int) (got * 0.99))] / 1e3;
      return new FanOutPoint(transport, subscribers, messages, perSecond, p99, dropped);
    } finally {
      pub.close();
      sub.close();
    }
  }

  static String table(List<AgentsPoint> agents, List<FanOutPoint> fanOut) {
    StringBuilder b = new StringBuilder();
    b.append("| transport | agents | start (s) | close (s) | threads gained | heap/agent (KiB) "
        + "| CPU share, heartbeats every ").append(HEARTBEAT.toSeconds()).append(" s |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (AgentsPoint p : agents) {
      b.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %d | %.1f | %.1f %% |%n",
          p.transport(), p.agents(), p.startSeconds(), p.closeSeconds(), p.threads(),
          p.heapKibPerAgent(), p.cpuShare() * 100));
    }
    b.append("\n| transport | subscribers | burst messages | deliveries/s (burst) "
        + "| p99 delay, one at a time (us) | dropped |\n");
    b.append("|---|---:|---:|---:|---:|---:|\n");
    for (FanOutPoint p : fanOut) {
      b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f | %,.0f | %d |%n",
          p.transport(), p.subscribers(), p.messages(), p.deliveriesPerSecond(), p.p99Micros(),
          p.dropped()));
    }
    return b.toString();
  }

  /** {@code ScaleCurve OUT_DIR}: expects {@link BenchEnv#natsUrl()} to reach a server. */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ScaleCurve OUT_DIR");
    }
    run(Path.of(args[0]));
  }
}
