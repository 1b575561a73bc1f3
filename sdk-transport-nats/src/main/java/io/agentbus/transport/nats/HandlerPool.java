package io.agentbus.transport.nats;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The threads that run a transport's handlers: {@link #BASE} of them, grown only when handlers
 * block. While work waits, a watcher looks every {@link #CHECK_MILLIS} ms; if no handler
 * finished during a whole interval (they block, or each drains a long backlog), the pool grows by
 * as many threads as tasks wait (at most {@link #BASE} a step), up to {@link #MAX}, so that a blocked handler delays only its
 * own subscription. Once nothing waits, the pool returns to its base size and the extra threads
 * end as they become idle. A burst to many subscriptions (a broadcast to 1,000 agents) is served
 * by the base threads, not by a thread per subscription. Thread-safe.
 */
final class HandlerPool implements Executor {
  /** Threads while handlers do not block. */
  static final int BASE = 16;
  /** At most this many handlers may block at once before others wait for one to return. */
  static final int MAX = 1024;
  static final long CHECK_MILLIS = 10;

  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor watcher;
  private final AtomicBoolean watching = new AtomicBoolean();
  private long lastCompleted = -1; // the watcher's thread only

  HandlerPool(ThreadFactory handlers, ThreadFactory watch) {
    pool = new ThreadPoolExecutor(BASE, BASE, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        handlers);
    pool.allowCoreThreadTimeOut(true);
    watcher = new ScheduledThreadPoolExecutor(1, watch);
    watcher.setKeepAliveTime(1, TimeUnit.SECONDS);
    watcher.allowCoreThreadTimeOut(true);
  }

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
    if (!pool.getQueue().isEmpty()) {
      watch();
    }
  }

  private void watch() {
    if (watching.compareAndSet(false, true)) {
      try {
        watcher.schedule(this::check, CHECK_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        watching.set(false); // shut down
      }
    }
  }

  private void check() {
    long completed = pool.getCompletedTaskCount();
    int waiting = pool.getQueue().size();
    int size = pool.getCorePoolSize();
    if (waiting > 0 && completed == lastCompleted && size < MAX) {
      // by at most BASE a step: a machine too busy to finish a handler in 10 ms grows slowly
      int grown = Math.min(MAX, size + Math.min(waiting, BASE));
      pool.setMaximumPoolSize(grown);
      pool.setCorePoolSize(grown);
    } else if (waiting == 0 && size > BASE) {
      pool.setCorePoolSize(BASE);
      pool.setMaximumPoolSize(BASE);
    }
    lastCompleted = completed;
    watching.set(false);
    if (!pool.getQueue().isEmpty() || pool.getCorePoolSize() > BASE) {
      watch();
    }
  }

  /** Threads now in the pool, for tests. */
  int threads() {
    return pool.getPoolSize();
  }

  /** Running handlers finish; nothing new starts. */
  void shutdown() {
    pool.shutdown();
    watcher.shutdownNow();
  }
}
