package io.agentbus.transport.inmemory;

import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a bounded queue drained by at most one task at a time on the transport's
 * executor, so its handler sees messages one by one in arrival order and a handler that blocks
 * holds only this subscription.
 *
 * <p>All coordination goes through one control word, {@code ctl}: the number of waiting messages
 * (low 32 bits), whether a drain task is scheduled, and the state (active, draining, closed).
 * Changing them together in one CAS is what makes "at most one drain task", "no lost wake-up",
 * "nothing taken after close" and "drain completes exactly when the last message is handled" hold
 * without a lock.
 */
final class InMemorySubscription implements TransportSubscription, Receiver, Runnable {
  private static final Logger log = LoggerFactory.getLogger(InMemorySubscription.class);

  private static final long COUNT = 0xFFFF_FFFFL;
  private static final long SCHEDULED = 1L << 32;
  private static final long DRAINING = 1L << 33;
  private static final long CLOSED = 1L << 34;
  private static final long INACTIVE = DRAINING | CLOSED;

  private final InMemoryTransport transport;
  private final String subject;
  private final @Nullable String queueGroup;
  private final TransportHandler handler;
  private final int pendingLimit;
  private final MpscQueue<TransportMessage> queue = new MpscQueue<>();
  private final AtomicLong ctl = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  /** Longest a drain task spins for the next message before giving its thread back. */
  static final long MAX_SPIN_NANOS = 20_000;
  /**
   * How many drain tasks may spin at once, in the whole process: one core fewer than the machine
   * has, leaving one for the threads that publish. Spinning beyond that only takes CPU from them
   * (three queue workers spinning on two cores starve their publisher); with one core, none spin.
   */
  static final int MAX_SPINNERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
  private static final AtomicInteger SPINNERS = new AtomicInteger();
  /** Spin budget of the drain task, in nanoseconds; touched only by the (single) drain task. */
  private long spinBudget;
  /** When the last drain task gave its thread back (nanoTime), 0 before the first. */
  private long idleSince;
  /** Set at the first drop of a burst; cleared once the queue is back under half the limit. */
  private volatile boolean slow;

  InMemorySubscription(InMemoryTransport transport, String subject, @Nullable String queueGroup,
      TransportHandler handler, int pendingLimit) {
    this.transport = transport;
    this.subject = subject;
    this.queueGroup = queueGroup;
    this.handler = handler;
    this.pendingLimit = pendingLimit;
  }

  // ------------------------------------------------------------------ publisher side

  @Override
  public int offer(TransportMessage message) {
    long c;
    while (true) {
      c = ctl.get();
      if ((c & INACTIVE) != 0) {
        return REJECTED;
      }
      if ((c & COUNT) >= pendingLimit) {
        overflow();
        return DROPPED;
      }
      if (ctl.compareAndSet(c, (c + 1) | SCHEDULED)) {
        break;
      }
    }
    queue.offer(message);
    if (slow && (c & COUNT) < pendingLimit / 2) {
      slow = false;
    }
    if ((c & SCHEDULED) == 0) {
      try {
        transport.executor().execute(this);
      } catch (RejectedExecutionException e) {
        // the transport closed between our state check and here; the close discards and counts
        // everything still waiting, this message included
        closeAndDiscard();
      }
    }
    return ACCEPTED;
  }

  private void overflow() {
    dropped.incrementAndGet();
    transport.countDropped(1);
    if (!slow) {
      slow = true;
      transport.slowConsumer(this);
    }
  }

  // ------------------------------------------------------------------ consumer side

  /** The drain task: hands waiting messages to the handler until none are left. */
  @Override
  public void run() {
    learnSpin();
    while (true) {
      long c = ctl.get();
      if ((c & (INACTIVE | COUNT)) == 0 && spinBudget > 0 && spinForMore()) {
        continue;
      }
      if ((c & CLOSED) != 0 || (c & COUNT) == 0) {
        idleSince = System.nanoTime(); // before the CAS, which hands over to the next drain task
        if (ctl.compareAndSet(c, c & ~SCHEDULED)) {
          if ((c & (DRAINING | CLOSED)) == DRAINING) {
            finishDrain();
          }
          return;
        }
        continue;
      }
      if (!ctl.compareAndSet(c, c - 1)) {
        continue;
      }
      handle(take());
    }
  }

  /**
   * Adaptive spinning before giving the thread back. Waking a parked pool thread costs several
   * microseconds, which dominates request/reply between two threads; a subscription whose next
   * message tends to come within {@link #MAX_SPIN_NANOS} spins for it instead. One whose messages
   * are sporadic quickly stops spinning, so idle subscriptions cost no CPU.
   */
  private void learnSpin() {
    long since = idleSince;
    if (since != 0 && System.nanoTime() - since < MAX_SPIN_NANOS) {
      spinBudget = MAX_SPIN_NANOS; // spinning would have caught this message: keep spinning
    } else {
      spinBudget >>= 1;
    }
  }

  /**
   * Spins up to the budget, if fewer than {@link #MAX_SPINNERS} drain tasks spin already; true if
   * a message came (or the state changed) meanwhile.
   */
  private boolean spinForMore() {
    int spinning;
    do {
      spinning = SPINNERS.get();
      if (spinning >= MAX_SPINNERS) {
        return false;
      }
    } while (!SPINNERS.compareAndSet(spinning, spinning + 1));
    try {
      return spinUpToBudget();
    } finally {
      SPINNERS.decrementAndGet();
    }
  }

  private boolean spinUpToBudget() {
    long start = System.nanoTime();
    long budget = spinBudget;
    do {
      for (int i = 0; i < 32; i++) {
        Thread.onSpinWait();
      }
      long c = ctl.get();
      if ((c & COUNT) != 0 || (c & INACTIVE) != 0) {
        return (c & COUNT) != 0;
      }
    } while (System.nanoTime() - start < budget);
    spinBudget = budget >> 1;
    return false;
  }

  private TransportMessage take() {
    TransportMessage m;
    int spins = 0;
    // the control word says a message is coming; its publisher is between the CAS and the link
    while ((m = queue.poll()) == null) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return m;
  }

  private void handle(TransportMessage m) {
    transport.countDelivered();
    try {
      handler.onMessage(m);
    } catch (Throwable t) {
      transport.countHandlerFailure();
      log.warn("The handler of subscription '{}'{} on {} threw on a message to '{}'; the "
          + "subscription keeps receiving", subject,
          queueGroup == null ? "" : " (queue group '" + queueGroup + "')", transport.name(),
          m.subject(), t);
    } finally {
      // an interrupt meant for one handler must not leak into the next task on this thread
      Thread.interrupted();
    }
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void unsubscribe() {
    if (closeAndDiscard()) {
      transport.removed(this);
    }
  }

  /**
   * Closes at once; messages still waiting are counted as dropped (they stay unreachable in the
   * queue, which is garbage with the subscription).
   *
   * @return true if this call closed it
   */
  boolean closeAndDiscard() {
    long c;
    do {
      c = ctl.get();
      if ((c & CLOSED) != 0) {
        return false;
      }
    } while (!ctl.compareAndSet(c, (c & SCHEDULED) | CLOSED));
    long discarded = c & COUNT;
    if (discarded > 0) {
      dropped.addAndGet(discarded);
      transport.countDropped(discarded);
      log.debug("Subscription '{}' on {} closed with {} messages waiting; they are dropped",
          subject, transport.name(), discarded);
    }
    if (!drained.isDone()) {
      if (discarded == 0) {
        drained.complete(null);
      } else {
        drained.completeExceptionally(new TransportException("Subscription '" + subject
            + "' was closed before its drain finished; " + discarded + " messages were dropped"));
      }
    }
    return true;
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    CompletableFuture<Void> done = startDrain();
    if (done.isDone()) {
      return done;
    }
    Scheduler.Cancellable timer = transport.scheduler().schedule(timeout, () -> {
      if (drained.completeExceptionally(new TransportException("Drain of subscription '"
          + subject + "' did not finish within " + timeout.toMillis() + " ms; it was closed"))) {
        unsubscribe();
      }
    });
    done.whenComplete((v, e) -> timer.cancel());
    return done;
  }

  /** Stops taking messages; the returned future completes when the last one is handled. */
  CompletableFuture<Void> startDrain() {
    long c;
    do {
      c = ctl.get();
      if ((c & INACTIVE) != 0) {
        return drained;
      }
    } while (!ctl.compareAndSet(c, c | DRAINING));
    transport.unroute(this);
    if ((c & SCHEDULED) == 0) {
      finishDrain(); // nothing waiting and no handler running
    }
    return drained;
  }

  private void finishDrain() {
    long c;
    do {
      c = ctl.get();
      if ((c & CLOSED) != 0) {
        return;
      }
    } while (!ctl.compareAndSet(c, c | CLOSED));
    transport.removed(this);
    drained.complete(null);
  }

  // ------------------------------------------------------------------ inspection

  @Override
  public String subject() {
    return subject;
  }

  @Override
  public @Nullable String queueGroup() {
    return queueGroup;
  }

  @Override
  public boolean isActive() {
    return (ctl.get() & INACTIVE) == 0;
  }

  @Override
  public long pendingMessages() {
    long c = ctl.get();
    return (c & CLOSED) != 0 ? 0 : c & COUNT;
  }

  @Override
  public long deliveredMessages() {
    return queue.polled(); // every message taken is handed to the handler at once
  }

  @Override
  public long droppedMessages() {
    return dropped.get();
  }

  int pendingLimit() {
    return pendingLimit;
  }

  @Override
  public String toString() {
    return "InMemorySubscription{" + subject + (queueGroup == null ? "" : ", queue=" + queueGroup)
        + ", " + (isActive() ? "active" : "inactive") + ", pending=" + pendingMessages() + "}";
  }
}
