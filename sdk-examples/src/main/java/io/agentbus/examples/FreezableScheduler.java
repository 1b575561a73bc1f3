package io.agentbus.examples;

import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;

/**
 * A scheduler whose timers can be frozen, to play a process that hangs: its agent's heartbeat
 * timer stops firing, as it would if the JVM were stuck, while its subscriptions stay open.
 */
final class FreezableScheduler implements Scheduler {
  private final Scheduler delegate;
  private volatile boolean frozen;

  FreezableScheduler(Scheduler delegate) {
    this.delegate = delegate;
  }

  void freeze() {
    frozen = true;
  }

  @Override
  public Instant now() {
    return delegate.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return delegate.schedule(delay, guard(task));
  }

  @Override
  public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
    return delegate.scheduleAtFixedRate(initialDelay, period, guard(task));
  }

  private Runnable guard(Runnable task) {
    return () -> {
      if (!frozen) {
        task.run();
      }
    };
  }
}
