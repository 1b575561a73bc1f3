package io.agentbus.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for something another thread does, bounded, without timing anything. */
public final class Conditions {
  private Conditions() {}

  /**
   * Polls {@code condition} until it holds.
   *
   * @throws AssertionError naming {@code what} when it does not hold within {@code timeout}
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static void await(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(2); // polling a condition, not timing anything
    }
  }
}
