package io.agentbus.agent.internal;

import io.agentbus.time.Scheduler;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A beat now and then every period on a {@link Scheduler}, until stopped; once {@link #stop()}
 * returns, no beat follows (so an offline announcement can be the last word). Thread-safe.
 */
public final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final Scheduler scheduler;
  private final Duration period;
  private final Runnable beat;
  private final String owner;

  private final Object lock = new Object();
  private boolean beating; // guarded by lock
  private Scheduler.@Nullable Cancellable timer; // guarded by lock

  /**
   * @param beat sends one beat; quick, it runs under this heartbeat's lock
   * @param owner names the owner in log messages
   */
  public Heartbeat(Scheduler scheduler, Duration period, Runnable beat, String owner) {
    this.scheduler = scheduler;
    this.period = period;
    this.beat = beat;
    this.owner = owner;
  }

  /**
   * Beats now, on the calling thread, then every period on the scheduler's thread; a later beat
   * that throws is logged, the next one still comes.
   *
   * @throws RuntimeException what the first beat threw (nothing is then scheduled)
   */
  public void start() {
    synchronized (lock) {
      beating = true;
      beat.run();
    }
    Scheduler.Cancellable c = scheduler.scheduleAtFixedRate(period, period, this::beatLogging);
    synchronized (lock) {
      if (beating) {
        timer = c;
        return;
      }
    }
    c.cancel(); // stopped meanwhile
  }

  /** Stops beating. Idempotent. */
  public void stop() {
    synchronized (lock) {
      beating = false;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
  }

  private void beatLogging() {
    // under the lock: once stop returns, no beat can follow
    synchronized (lock) {
      if (!beating) {
        return;
      }
      try {
        beat.run();
      } catch (RuntimeException e) {
        log.warn("{} could not send its heartbeat: {}", owner, e.toString());
      }
    }
  }
}
