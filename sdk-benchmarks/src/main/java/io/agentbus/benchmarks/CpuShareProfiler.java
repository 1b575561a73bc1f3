package io.agentbus.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A JMH profiler for CPU cost: the CPU time the whole benchmark JVM used (every thread, GC and JIT
 * included) as a percentage of one core over the wall time, the heap in use after a full GC, and,
 * in throughput mode, the CPU time per operation; also the process's minor page faults per
 * second (Linux only: a virtual machine's first touch of heap pages was once most of the gap
 * between AgentBus and raw jnats, see docs/performance.md). CPU per operation is what a benchmark
 * costs its own process regardless of how much CPU the machine's other load leaves it (a
 * nats-server's CPU is not included). For a {@link WindowedBenchmark} the figures cover its
 * {@link MeasurementWindow} (the iteration without trial setup and teardown); otherwise the whole
 * iteration.
 *
 * <p>Instantiated by JMH in the benchmark JVM ({@code -prof io.agentbus.benchmarks.CpuShareProfiler}).
 */
public final class CpuShareProfiler implements InternalProfiler {
  /** Minor page faults per second of the benchmark process ({@code /proc/self/stat}). */
  static final String PAGE_FAULTS_METRIC = "pageFaults.perSecond";

  private long cpuStart;
  private long wallStart;
  private long faultsStart;

  @Override
  public String getDescription() {
    return "Process CPU as % of one core and per operation, and heap used after GC";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    MeasurementWindow.take();
    cpuStart = MeasurementWindow.processCpuNanos();
    faultsStart = minorPageFaults();
    wallStart = System.nanoTime();
  }

  /**
   * The process's minor page faults so far (field 10 of {@code /proc/self/stat}), or -1 where
   * that file does not exist or cannot be read.
   */
  static long minorPageFaults() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // the command name (field 2) is in parentheses and may hold spaces: count from after it
      String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(rest[7]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    long cpu = MeasurementWindow.processCpuNanos() - cpuStart;
    long faultsEnd = minorPageFaults();
    long wall = System.nanoTime() - wallStart;
    double faultsPerSecond = faultsStart < 0 || faultsEnd < 0 ? Double.NaN
        : (faultsEnd - faultsStart) * 1e9 / Math.max(1, wall);
    double heapMb = Double.NaN;
    MeasurementWindow.Measured window = MeasurementWindow.take();
    if (window != null) {
      cpu = window.cpuNanos();
      wall = window.wallNanos();
      heapMb = window.heapMb();
    }
    if (Double.isNaN(heapMb)) {
      heapMb = MeasurementWindow.heapAfterGcMb();
    }
    double percent = cpuStart < 0 || wall <= 0 ? Double.NaN : 100.0 * cpu / wall;
    List<Result> out = new ArrayList<>();
    out.add(new ScalarResult(SummaryTable.CPU_METRIC, percent, "%", AggregationPolicy.AVG));
    out.add(new ScalarResult(SummaryTable.HEAP_METRIC, heapMb, "MB", AggregationPolicy.AVG));
    out.add(new ScalarResult(PAGE_FAULTS_METRIC, faultsPerSecond, "faults/s",
        AggregationPolicy.AVG));
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
