package io.agentbus.agent.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers listener calls one at a time, in the order they were enqueued, without holding the
 * caller's lock. Enqueue while holding the lock that orders the events; call {@link #dispatch()}
 * after releasing it. A listener that throws is logged and the rest still run. Thread-safe.
 */
public final class SerialEvents {
  private static final Logger log = LoggerFactory.getLogger(SerialEvents.class);

  private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private final ReentrantLock running = new ReentrantLock();
  private final String owner;

  /** @param owner names the owner in log messages about failing listeners */
  public SerialEvents(String owner) {
    this.owner = owner;
  }

  public void enqueue(Runnable call) {
    pending.add(call);
  }

  /**
   * Runs the pending calls. When it returns, every call enqueued before it was called has run
   * (waiting, if need be, for another thread that is running them). Reentrant: a listener may
   * cause further events, which it then delivers itself.
   */
  public void dispatch() {
    running.lock();
    try {
      Runnable call;
      while ((call = pending.poll()) != null) {
        try {
          call.run();
        } catch (RuntimeException e) {
          log.warn("A listener of {} threw; ignored", owner, e);
        }
      }
    } finally {
      running.unlock();
    }
  }
}
