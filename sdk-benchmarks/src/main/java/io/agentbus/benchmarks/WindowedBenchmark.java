package io.agentbus.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Base of the benchmarks whose CPU cost {@link CpuShareProfiler} reports: marks each iteration's
 * {@link MeasurementWindow}, so that trial setup and teardown are not counted.
 */
public abstract class WindowedBenchmark {
  /** Whether closing the window also measures the heap (a full GC). */
  protected boolean measureHeap() {
    return false;
  }

  @Setup(Level.Iteration)
  public void openMeasurementWindow() {
    MeasurementWindow.open();
  }

  @TearDown(Level.Iteration)
  public void closeMeasurementWindow() {
    MeasurementWindow.close(measureHeap());
  }
}
