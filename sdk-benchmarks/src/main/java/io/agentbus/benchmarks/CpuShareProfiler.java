package io.agentbus.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler for background cost: the CPU time the whole benchmark JVM used during each
 * iteration (every thread, GC and JIT included), as a percentage of one core over the iteration's
 * wall time, and the heap still in use after a full GC at the end of the iteration. Meant for
 * benchmarks whose measured thread only sleeps while background work (heartbeats) runs.
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
    return List.of(
        new ScalarResult(SummaryTable.CPU_METRIC, percent, "%", AggregationPolicy.AVG),
        new ScalarResult(SummaryTable.HEAP_METRIC, heapMb, "MB", AggregationPolicy.AVG));
  }
}
