package io.agentbus.agent.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers listener calls one at a time, in the order they were enqueued, without holding the
 * caller's lock. Enqueue while holding the lock that orders the events; call {@link #dispatch()}
 * after releasing it. Whichever thread finds work pending runs it; a listener that throws is logged
 * and the rest still run. Thread-safe.
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

  /** Runs pending calls; returns when none is left or another thread is running them. */
  public void dispatch() {
    // re-check after unlocking: a call enqueued while another thread held the lock is ours to run
    while (!pending.isEmpty() && running.tryLock()) {
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
}
