package io.agentbus.benchmarks;

import java.lang.management.ManagementFactory;
import org.jspecify.annotations.Nullable;

/**
 * The part of a JMH iteration where only the benchmark's own work runs, for {@link
 * CpuShareProfiler}. JMH runs trial-level setup and teardown inside the first and last iterations
 * (starting 10,000 agents, closing connections), so CPU and heap taken around the whole iteration
 * would include them. {@link WindowedBenchmark} opens the window in its iteration-level setup and
 * closes it in its iteration-level teardown, which JMH runs after and before those.
 *
 * <p>One benchmark runs per JVM fork at a time; the static state is handed from the benchmark's
 * threads to the profiler through volatile fields.
 */
final class MeasurementWindow {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** What one window measured. {@code heapMb} is NaN when the heap was not measured. */
  record Measured(long cpuNanos, long wallNanos, double heapMb) {}

  private static volatile long cpuStart = -1;
  private static volatile long wallStart;
  private static volatile @Nullable Measured last;

  private MeasurementWindow() {}

  static void open() {
    last = null;
    wallStart = System.nanoTime();
    cpuStart = OS.getProcessCpuTime();
  }

  /** Closes the window; with {@code heap}, then collects garbage and takes the heap in use. */
  static void close(boolean heap) {
    long cpu = OS.getProcessCpuTime();
    long wall = System.nanoTime();
    if (cpuStart < 0 || cpu < 0) {
      return;
    }
    double heapMb = heap ? heapAfterGcMb() : Double.NaN;
    last = new Measured(cpu - cpuStart, wall - wallStart, heapMb);
    cpuStart = -1;
  }

  /** The window closed since the last call, or null. */
  static @Nullable Measured take() {
    Measured m = last;
    last = null;
    return m;
  }

  static long processCpuNanos() {
    return OS.getProcessCpuTime();
  }

  static double heapAfterGcMb() {
    // two rounds: the first may only promote what the second can then collect
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }
}
