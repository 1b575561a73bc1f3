package io.agentbus.test;

import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} whose time moves only when a test says so. Tasks run on the thread that
 * calls {@link #advance(Duration)}, in due order, each seeing {@link #now()} equal to its due time;
 * so a test reads "89 s in, the agent is alive; 1 s later it is dead" and runs in milliseconds.
 *
 * <pre>{@code
 * VirtualScheduler time = VirtualScheduler.startingAt(Instant.parse("2025-12-05T14:30:00Z"));
 * monitor = OrchestratorMonitor.builder().scheduler(time)...;
 * time.advance(Duration.ofSeconds(89));
 * }</pre>
 *
 * <p>Thread-safe: tasks may be scheduled from any thread. Work that a task hands to other threads
 * (a publish delivered by a transport's dispatcher) is not awaited by {@code advance}; tests wait
 * for its effect with a latch or a future, as usual.
 */
public final class VirtualScheduler implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(VirtualScheduler.class);

  private final Object lock = new Object();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  private VirtualScheduler(Instant start) {
    this.now = start;
  }

  /** Starts at the epoch plus a fixed, recognisable offset (2025-12-05T14:30:00Z). */
  public static VirtualScheduler create() {
    return startingAt(Instant.parse("2025-12-05T14:30:00Z"));
  }

  public static VirtualScheduler startingAt(Instant start) {
    return new VirtualScheduler(start);
  }

  @Override
  public Instant now() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return add(delay, null, task);
  }

  @Override
  public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    return add(initialDelay, period, task);
  }

  private Cancellable add(Duration delay, @Nullable Duration period, Runnable task) {
    if (delay.isNegative()) {
      delay = Duration.ZERO;
    }
    synchronized (lock) {
      Task t = new Task(now.plus(delay), sequence++, period, task);
      queue.add(t);
      lock.notifyAll(); // for awaitPendingTasks
      return () -> t.cancelled.set(true);
    }
  }

  /**
   * Waits until at least {@code count} tasks are pending: for work another thread schedules (a
   * request's timeout, a retry) to be on the clock before the test advances it. Without this, a
   * test that advances time right after starting such work on another thread may advance before
   * the task exists, and the task then falls due only after the advance.
   *
   * @throws TimeoutException if fewer are pending after {@code timeout} of
   *     real time, naming how many are
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void awaitPendingTasks(int count, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int pending;
      while ((pending = pendingTasks()) < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("Waited " + timeout + " for " + count
              + " pending virtual-time tasks; " + pending + " are pending");
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  /**
   * Moves time forward by {@code amount}, running every task that falls due on the way (periodic
   * tasks as often as they fall due), then leaves the clock at the end of the interval.
   */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("time only moves forward; got " + amount);
    }
    Instant target;
    synchronized (lock) {
      target = now.plus(amount);
    }
    while (true) {
      Task next;
      synchronized (lock) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        queue.poll();
        if (next.cancelled.get()) {
          continue;
        }
        now = next.due;
        if (next.period != null) {
          queue.add(new Task(next.due.plus(next.period), sequence++, next.period, next.runnable,
              next.cancelled));
        }
      }
      try {
        next.runnable.run();
      } catch (RuntimeException e) {
        log.warn("Virtual-time task {} failed", next.runnable, e);
      }
    }
  }

  /** Runs the tasks due now without moving time. */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** How many tasks are waiting (cancelled ones excluded). */
  public int pendingTasks() {
    synchronized (lock) {
      int n = 0;
      for (Task t : queue) {
        if (!t.cancelled.get()) {
          n++;
        }
      }
      return n;
    }
  }

  /** The due times of the waiting tasks, soonest first; for diagnostics. */
  public List<Instant> dueTimes() {
    synchronized (lock) {
      List<Task> copy = new ArrayList<>(queue);
      copy.sort(null);
      List<Instant> due = new ArrayList<>();
      for (Task t : copy) {
        if (!t.cancelled.get()) {
          due.add(t.due);
        }
      }
      return due;
    }
  }

  @Override
  public String toString() {
    return "VirtualScheduler{now=" + now() + ", pending=" + pendingTasks() + "}";
  }

  private static final class Task implements Comparable<Task> {
    final Instant due;
    final long seq;
    final @Nullable Duration period;
    final Runnable runnable;
    final AtomicBoolean cancelled;

    Task(Instant due, long seq, @Nullable Duration period, Runnable runnable) {
      this(due, seq, period, runnable, new AtomicBoolean());
    }

    Task(Instant due, long seq, @Nullable Duration period, Runnable runnable,
        AtomicBoolean cancelled) {
      this.due = due;
      this.seq = seq;
      this.period = period;
      this.runnable = runnable;
      this.cancelled = cancelled;
    }

    @Override
    public int compareTo(Task o) {
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
