package io.agentbus.benchmarks;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent process of {@link ClusterScale}: runs template agents {@code first} .. {@code first +
 * count - 1} on one NATS transport connected to one node of the cluster, and follows the
 * coordinator's lines on standard input. It prints {@code READY} once its agents run, asks on
 * {@code GO} (every agent one question to a random other agent of all {@code total}, in any
 * process), prints {@code ASKED} with the answered and failed counts and the latency, and on
 * {@code CLOSE} stops its agents and prints {@code CLOSED}. Each line is {@code key=value}
 * pairs after a {@code CLUSTER <word>} prefix; anything else it prints is log.
 */
final class ClusterScaleAgents {
  /** At most this many questions of one process wait for their answer at once. */
  static final int IN_FLIGHT = 256;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private ClusterScaleAgents() {}

  /** {@code url first count total seed}. */
  static void run(String[] args) throws Exception {
    String url = args[0];
    int first = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    int total = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));

    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    double heapBefore = MeasurementWindow.heapAfterGcMb();
    NatsTransport transport = NatsTransport.connect(NatsTransportConfig.builder().servers(url)
        .connectionName("cluster-scale-" + first).build());
    MessageBus bus = MessageBus.builder().transport(transport)
        .codec(Codecs.named(Codecs.JSON)).build();
    AgentContext context = AgentContext.builder(bus).heartbeatInterval(ScaleCurve.HEARTBEAT)
        .build();
    long t0 = System.nanoTime();
    List<Agent> agents = ScaleCurve.startAll(context, first, count);
    bus.flush(Duration.ofSeconds(30));
    long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    int threads = ScaleCurve.settledThreads(before);
    double heapMb = MeasurementWindow.heapAfterGcMb();
    report("READY", Map.of("startMillis", startMillis, "threads", threads,
        "heapMb", round(heapMb), "heapKibPerAgent", round((heapMb - heapBefore) * 1024 / count)));

    expect(in, "GO");
    ask(bus, first, count, total, seed);
    report("AFTER", Map.of("threads", ScaleCurve.settledThreads(before),
        "heapMb", round(MeasurementWindow.heapAfterGcMb()),
        "dropped", transport.stats().dropped(),
        "handlerFailures", transport.stats().handlerFailures()));

    expect(in, "CLOSE");
    long c0 = System.nanoTime();
    ScaleCurve.stopAll(agents);
    bus.close();
    report("CLOSED", Map.of("closeMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0)));
  }

  /** Every agent asks a random other agent once; at most {@link #IN_FLIGHT} wait at a time. */
  private static void ask(MessageBus bus, int first, int count, int total, long seed)
      throws InterruptedException {
    Random random = new Random(seed + first);
    long[] latencies = new long[count];
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger answeredSlot = new AtomicInteger();
    ConcurrentMap<String, Integer> failures = new ConcurrentHashMap<>();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    long t0 = System.nanoTime();
    for (int i = first; i < first + count; i++) {
      int target = random.nextInt(total - 1);
      if (target >= i) {
        target++; // a random agent other than itself
      }
      String targetId = ScaleCurve.agentId(target);
      inFlight.acquire();
      long sent = System.nanoTime();
      CompletableFuture<AgentMessage> answer;
      try {
        answer = bus.endpoint(ScaleCurve.agentId(i)).requestAsync(targetId,
            MessageType.QUESTION, Map.of("q", "who"), REQUEST_TIMEOUT);
      } catch (RuntimeException e) {
        inFlight.release();
        failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        continue;
      }
      answer.whenComplete((reply, error) -> {
        long took = System.nanoTime() - sent;
        if (error != null) {
          Throwable cause = error.getCause() != null ? error.getCause() : error;
          failures.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
        } else if (!targetId.equals(reply.content().get("answer"))) {
          failures.merge("wrong-answer", 1, Integer::sum);
        } else {
          latencies[answeredSlot.getAndIncrement()] = took;
          answered.incrementAndGet();
        }
        inFlight.release();
      });
    }
    inFlight.acquire(IN_FLIGHT); // every question has its answer or its failure
    long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    int n = answered.get();
    long[] seen = Arrays.copyOf(latencies, n);
    Arrays.sort(seen);
    int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
    Map<String, Object> figures = new TreeMap<>();
    figures.put("asked", count);
    figures.put("answered", n);
    figures.put("failed", failed);
    figures.put("failures", failures.isEmpty() ? "none" : new TreeMap<>(failures).toString()
        .replace(' ', '_'));
    figures.put("p50us", n == 0 ? -1 : seen[n / 2] / 1000);
    figures.put("p99us", n == 0 ? -1 : seen[Math.min(n - 1, (int) (n * 0.99))] / 1000);
    figures.put("askMillis", wallMillis);
    report("ASKED", figures);
  }

  private static void expect(BufferedReader in, String word) throws Exception {
    String line = in.readLine();
    if (!word.equals(line)) {
      throw new IllegalStateException("Expected '" + word + "' from the coordinator, got '"
          + line + "'");
    }
  }

  private static void report(String word, Map<String, ?> figures) {
    StringBuilder b = new StringBuilder("CLUSTER ").append(word);
    new TreeMap<>(figures).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    System.out.println(b);
    System.out.flush();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
