package io.agentbus.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler for CPU cost: the CPU time the whole benchmark JVM used during each iteration
 * (every thread, GC and JIT included) as a percentage of one core over the iteration's wall time,
 * the heap still in use after a full GC at the end of the iteration, and, in throughput mode, the
 * CPU time per operation. The last is what a benchmark costs its own process regardless of how
 * much CPU the machine's other load leaves it (a nats-server's CPU is not included). The first
 * two are meant for benchmarks whose measured thread sleeps while background work (heartbeats)
 * runs.
 *
 * <p>Instantiated by JMH in the benchmark JVM ({@code -prof io.agentbus.benchmarks.CpuShareProfiler}).
 */
public final class CpuShareProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private long cpuStart;
  private long wallStart;

  @Override
  public String getDescription() {
    return "Process CPU as % of one core, and heap used after GC, per iteration";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuStart = os.getProcessCpuTime();
    wallStart = System.nanoTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuStart;
    long wall = System.nanoTime() - wallStart;
    double percent = cpuStart < 0 || wall <= 0 ? Double.NaN : 100.0 * cpu / wall;
    // two rounds: the first may only promote what the second can then collect
    System.gc();
    System.gc();
    double heapMb = memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    List<Result> out = new ArrayList<>();
    out.add(new ScalarResult(SummaryTable.CPU_METRIC, percent, "%", AggregationPolicy.AVG));
    out.add(new ScalarResult(SummaryTable.HEAP_METRIC, heapMb, "MB", AggregationPolicy.AVG));
    if (benchmarkParams.getMode() == Mode.Throughput && wall > 0) {
      // ops/s times the wall time: how many operations the CPU time above paid for
      double ops = result.getPrimaryResult().getScore()
          * ((double) wall / benchmarkParams.getTimeUnit().toNanos(1));
      if (ops > 0) {
        out.add(new ScalarResult(SummaryTable.CPU_PER_OP_METRIC, cpu / 1000.0 / ops, "us/op",
            AggregationPolicy.AVG));
      }
    }
    return out;
  }
}
