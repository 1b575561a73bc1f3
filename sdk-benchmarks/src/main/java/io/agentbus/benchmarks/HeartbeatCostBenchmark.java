package io.agentbus.benchmarks;

import io.agentbus.Agent;
import io.agentbus.MessageBus;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What it costs to keep many agents alive in one process: {@code agents} idle agents of the
 * template on one in-memory {@link MessageBus} (JSON), each heartbeating every {@code
 * intervalSeconds}, and an {@link OrchestratorMonitor} on the same bus tracking them all. The
 * measured thread only sleeps; {@link CpuShareProfiler} reports the process's CPU time per
 * iteration as a share of one core, and the heap used after GC. Run with that profiler (the runner
 * adds it) and with iterations at least one heartbeat interval long, so each iteration sees every
 * agent's heartbeat. The {@code agents = 0} case (the monitor alone) is the baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HeartbeatCostBenchmark extends WindowedBenchmark {
  @Param({"0", "1000", "10000"})
  public int agents;

  /** The seed's heartbeat period ({@link AgentContext#DEFAULT_HEARTBEAT_INTERVAL}). */
  @Param({"30"})
  public int intervalSeconds;

  private MessageBus bus;
  private OrchestratorMonitor monitor;
  private final List<Agent> started = new ArrayList<>();

  /** Heartbeats the monitor observed during each iteration, as a check that the work happened. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Observed {
    public long heartbeats;
    long last;

    @Setup(Level.Iteration)
    public void reset(HeartbeatCostBenchmark b) {
      heartbeats = 0;
      last = b.monitor.observedMessages();
    }
  }

  private static final class IdleAgent extends AbstractAgent {
    private final String id;

    IdleAgent(AgentContext context, String id) {
      super(context);
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }
  }

  @Override
  protected boolean measureHeap() {
    return true;
  }

  @Setup(Level.Trial)
  public void setUp() throws TimeoutException {
    bus = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(Codecs.named(Codecs.JSON)).build();
    monitor = OrchestratorMonitor.builder(bus).build().start();
    AgentContext context = AgentContext.builder(bus)
        .heartbeatInterval(Duration.ofSeconds(intervalSeconds)).build();
    // start in batches: each start runs on a short-lived thread of its own
    int batch = 200;
    for (int i = 0; i < agents; i += batch) {
      List<Agent> starting = new ArrayList<>();
      for (int j = i; j < Math.min(agents, i + batch); j++) {
        starting.add(new IdleAgent(context, String.format("agent-%05d", j)).startAsync());
      }
      for (Agent a : starting) {
        a.awaitRunning(Duration.ofSeconds(30));
      }
      started.addAll(starting);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (monitor.aliveAgents().size() < agents) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The monitor saw " + monitor.aliveAgents().size()
            + " of " + agents + " agents alive 30 s after they started");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the agents", e);
      }
    }
  }

  @Benchmark
  public void idle(Observed observed) throws InterruptedException {
    Thread.sleep(1000);
    long now = monitor.observedMessages();
    observed.heartbeats += now - observed.last;
    observed.last = now;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws TimeoutException {
    try {
      int alive = monitor.aliveAgents().size();
      if (alive != agents) {
        throw new IllegalStateException("The monitor had " + alive + " of " + agents
            + " agents alive at the end: heartbeats were late or lost");
      }
      var s = bus.stats();
      var t = bus.transportStats();
      if (s.decodeFailures() + s.handlerFailures() + t.dropped() != 0) {
        throw new IllegalStateException("Heartbeats failed or were dropped: " + s + " " + t);
      }
    } finally {
      started.forEach(Agent::stopAsync);
      for (Agent a : started) {
        a.awaitTerminated(Duration.ofSeconds(30));
      }
      monitor.close();
      bus.close();
    }
  }
}
