package io.agentbus.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a long-running command ({@code tail}, {@code agents --watch}) end cleanly on Ctrl-C: the
 * JVM's shutdown hook interrupts the command's thread and waits (up to 5 s) until the command has
 * unsubscribed, closed its connection and printed its summary. An interrupt of the thread by
 * other means (an embedding program, a test) ends it the same way.
 */
final class UntilStopped implements AutoCloseable {
  private final Thread worker = Thread.currentThread();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  UntilStopped() {
    hook = new Thread(() -> {
      worker.interrupt();
      try {
        finished.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "agentbus-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    Thread.interrupted(); // the interrupt that stopped us is consumed here
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it is waiting for exactly this
    }
  }
}
