package io.agentbus.transport.inmemory;

import io.agentbus.TransportException;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Publishers and the drain task each write their own word, on their own cache line, so that a
 * message costs no cache line moving back and forth between them:
 *
 * <ul>
 *   <li>{@code offered}: how many messages publishers have accepted, plus the state (draining,
 *       closed). A publisher takes its place with one CAS that also checks the state, so nothing is
 *       accepted after a drain or close begins.
 *   <li>{@code taken}: how many messages the drain task has taken, plus a closed bit. The drain
 *       task takes each message with a CAS that fails once the close has set that bit, so nothing
 *       is taken after close, and {@code offered - taken} at the close is exactly what was dropped.
 *   <li>{@code scheduled}: whether a drain task owns the queue. A publisher reads it after its
 *       CAS and schedules a task only if none does; a drain task that runs dry clears it and then
 *       reads {@code offered} again. All three are volatile, so one of the two sees the other: no
 *       message is left waiting without a task (no lost wake-up).
 * </ul>
 *
 * <p>Publishers check the pending limit against the last {@code taken} they read and read it
 * afresh only when that says the queue is full, so the drain task's line is not read per message.
 * The queue itself is Vyukov's linked multi-producer single-consumer queue, whose tail lives with
 * the publishers' words and whose head lives with the drain task's.
 */
final class InMemorySubscription extends SubscriptionPadAfterConsumer
    implements TransportSubscription, Receiver, Runnable {
  private static final Logger log = LoggerFactory.getLogger(InMemorySubscription.class);

  private static final VarHandle TAIL;
  private static final VarHandle NEXT;
  private static final VarHandle OFFERED;
  private static final VarHandle SCHEDULED;
  private static final VarHandle TAKEN_SEEN;
  private static final VarHandle TAKEN;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(SubscriptionProducerSide.class, "tail", Node.class);
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
      OFFERED = l.findVarHandle(SubscriptionProducerSide.class, "offered", long.class);
      SCHEDULED = l.findVarHandle(SubscriptionProducerSide.class, "scheduled", int.class);
      TAKEN_SEEN = l.findVarHandle(SubscriptionProducerSide.class, "takenSeen", long.class);
      TAKEN = l.findVarHandle(SubscriptionConsumerSide.class, "taken", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The count in {@code offered} and {@code taken}: 2^60 messages, more than any process sees. */
  private static final long COUNT = (1L << 60) - 1;
  /** In {@code offered}: draining, no new messages; the drain task closes when it runs dry. */
  private static final long DRAINING = 1L << 60;
  /** In {@code offered} and {@code taken}: closed, nothing more is accepted or taken. */
  private static final long CLOSED = 1L << 61;
  private static final long INACTIVE = DRAINING | CLOSED;

  private final InMemoryTransport transport;
  private final String subject;
  private final @Nullable String queueGroup;
  private final TransportHandler handler;
  private final int pendingLimit;
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
  /** Set at the first drop of a burst; cleared once the queue is back under half the limit. */
  private volatile boolean slow;

  InMemorySubscription(InMemoryTransport transport, String subject, @Nullable String queueGroup,
      TransportHandler handler, int pendingLimit) {
    this.transport = transport;
    this.subject = subject;
    this.queueGroup = queueGroup;
    this.handler = handler;
    this.pendingLimit = pendingLimit;
    Node stub = new Node(null);
    head = stub;
    tail = stub;
  }

  // ------------------------------------------------------------------ publisher side

  @Override
  public int offer(TransportMessage message) {
    long n;
    while (true) {
      long p = (long) OFFERED.getVolatile(this);
      if ((p & INACTIVE) != 0) {
        return REJECTED;
      }
      n = p & COUNT;
      if (n - (long) TAKEN_SEEN.getOpaque(this) >= pendingLimit) {
        long t = takenCount();
        TAKEN_SEEN.setOpaque(this, t);
        if (n - t >= pendingLimit) {
          overflow();
          return DROPPED;
        }
      }
      if (OFFERED.compareAndSet(this, p, p + 1)) {
        break;
      }
    }
    Node node = new Node(message);
    Node prev = (Node) TAIL.getAndSet(this, node);
    NEXT.setRelease(prev, node);
    if (slow && n - takenCount() < pendingLimit / 2) {
      slow = false;
    }
    if ((int) SCHEDULED.getVolatile(this) == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
      startDrainTask();
    }
    return ACCEPTED;
  }

  /** Runs a drain task on the transport's executor; called by whoever set {@code scheduled}. */
  private void startDrainTask() {
    try {
      transport.executor().execute(this);
    } catch (RejectedExecutionException e) {
      // the transport closed after our state check; the close discards and counts everything
      // still waiting, the message just accepted included
      closeAndDiscard();
    }
  }

  private void overflow() {
    dropped.incrementAndGet();
    transport.countDropped(1);
    if (!slow) {
      slow = true;
      transport.slowConsumer(this);
    }
  }

  private long takenCount() {
    return (long) TAKEN.getVolatile(this) & COUNT;
  }

  // ------------------------------------------------------------------ consumer side

  /** The drain task: hands waiting messages to the handler until none are left. */
  @Override
  public void run() {
    learnSpin();
    while (true) {
      TransportMessage m = poll();
      if (m == null) {
        long p = (long) OFFERED.getVolatile(this);
        if ((p & CLOSED) != 0) {
          return;
        }
        if ((p & COUNT) != (taken & COUNT)) {
          m = awaitLink(); // accepted, its publisher is between its CAS and the link
        } else if ((p & DRAINING) != 0) {
          finishDrain();
          return;
        } else if (spinBudget > 0 && spinForMore()) {
          continue;
        } else if (goIdle()) {
          return;
        } else {
          continue;
        }
      }
      if (!claim()) {
        return; // closed: the close counted this message as dropped
      }
      handle(m);
    }
  }

  /**
   * Gives up the queue, unless a message or a drain came while it did; true if it is given up.
   * Clearing {@code scheduled} before reading {@code offered} again is what keeps a publisher that
   * saw it set from leaving its message without a task.
   */
  private boolean goIdle() {
    idleSince = System.nanoTime(); // before the release, which hands over to the next drain task
    SCHEDULED.setVolatile(this, 0);
    long p = (long) OFFERED.getVolatile(this);
    if ((p & COUNT) == (taken & COUNT) && (p & INACTIVE) == 0) {
      return true; // the next publisher schedules a task
    }
    return !SCHEDULED.compareAndSet(this, 0, 1); // else whoever set it owns the queue now
  }

  private @Nullable TransportMessage poll() {
    Node next = (Node) NEXT.getAcquire(head);
    if (next == null) {
      return null;
    }
    TransportMessage v = next.value;
    next.value = null;
    head = next;
    return v;
  }

  private TransportMessage awaitLink() {
    TransportMessage m;
    int spins = 0;
    while ((m = poll()) == null) {
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    return m;
  }

  /** Counts a polled message as taken, unless the subscription closed. */
  private boolean claim() {
    long t;
    do {
      t = (long) TAKEN.getVolatile(this);
      if ((t & CLOSED) != 0) {
        return false;
      }
    } while (!TAKEN.compareAndSet(this, t, t + 1));
    return true;
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
   * a message came meanwhile.
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

  /**
   * Watches the head node's link, which only the next publisher writes, rather than
   * {@code offered}, which every publish writes; a drain or close that comes meanwhile is seen
   * when the budget runs out.
   */
  private boolean spinUpToBudget() {
    long start = System.nanoTime();
    long budget = spinBudget;
    Node h = head;
    do {
      for (int i = 0; i < 32; i++) {
        Thread.onSpinWait();
      }
      if (NEXT.getAcquire(h) != null) {
        return true;
      }
    } while (System.nanoTime() - start < budget);
    spinBudget = budget >> 1;
    return false;
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
    long accepted = close();
    if (accepted < 0) {
      return false;
    }
    long discarded = accepted - ((long) TAKEN.getAndBitwiseOr(this, CLOSED) & COUNT);
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

  /** Sets the closed bit in {@code offered}; how many were accepted, or -1 if already closed. */
  private long close() {
    long p = (long) OFFERED.getAndBitwiseOr(this, CLOSED);
    return (p & CLOSED) != 0 ? -1 : p & COUNT;
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
    long p = (long) OFFERED.getAndBitwiseOr(this, DRAINING);
    if ((p & INACTIVE) != 0) {
      return drained;
    }
    transport.unroute(this);
    if ((int) SCHEDULED.getVolatile(this) == 0 && SCHEDULED.compareAndSet(this, 0, 1)) {
      // no drain task owns the queue, and none will be scheduled for it now: we own it
      if ((p & COUNT) == takenCount()) {
        finishDrain(); // nothing waiting and no handler running
      } else {
        startDrainTask(); // the task gave the queue up on a race; it closes at the end
      }
    }
    return drained;
  }

  /** Called when the last message accepted before the drain is handled. */
  private void finishDrain() {
    if (close() < 0) {
      return;
    }
    TAKEN.getAndBitwiseOr(this, CLOSED);
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
    return ((long) OFFERED.getVolatile(this) & INACTIVE) == 0;
  }

  @Override
  public long pendingMessages() {
    long t = takenCount(); // first, so that the count accepted read after it is no smaller
    long p = (long) OFFERED.getVolatile(this);
    return (p & CLOSED) != 0 ? 0 : (p & COUNT) - t;
  }

  @Override
  public long deliveredMessages() {
    return takenCount(); // every message taken is handed to the handler at once
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

/** A link of the queue. */
final class Node {
  @Nullable TransportMessage value;
  @Nullable Node next;

  Node(@Nullable TransportMessage value) {
    this.value = value;
  }
}

/*
 * The padding below keeps the publishers' fields and the drain task's fields on cache lines of
 * their own. The JVM lays out a superclass's fields before a subclass's, but moves a 4-byte field
 * into any 4-byte gap it finds, even one in a superclass; so each padding class starts with an
 * int that fills the gap a reference or an int would otherwise move into.
 */

/** 64 bytes before the publishers' fields, so that they share no line with what precedes. */
@SuppressWarnings("unused")
abstract class SubscriptionPadBeforeProducer {
  /** Fills the gap after the object header, which the JVM would otherwise give the tail. */
  int p0;
  long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** What publishers write: the queue's tail, the count accepted and the scheduled flag. */
abstract class SubscriptionProducerSide extends SubscriptionPadBeforeProducer {
  volatile Node tail;
  /** Messages accepted (low 60 bits) and the state; through {@code OFFERED}. */
  @SuppressWarnings("unused")
  volatile long offered;
  /** 1 while a drain task owns the queue; through {@code SCHEDULED}. */
  @SuppressWarnings("unused")
  volatile int scheduled;
  /** The last count taken a publisher read, to check the pending limit against. */
  @SuppressWarnings("unused")
  long takenSeen;
}

/** 64 bytes between the publishers' fields and the drain task's. */
@SuppressWarnings("unused")
abstract class SubscriptionPadBetween extends SubscriptionProducerSide {
  /** Fills a gap after the publishers' fields, which the JVM would otherwise give the head. */
  int p1;
  long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** What the drain task writes: the queue's head, the count taken and its spin state. */
abstract class SubscriptionConsumerSide extends SubscriptionPadBetween {
  Node head;
  /** Messages taken (low 60 bits) and the closed bit; through {@code TAKEN}. */
  volatile long taken;
  /** Spin budget of the drain task, in nanoseconds; touched only by the (single) drain task. */
  long spinBudget;
  /** When the last drain task gave its thread back (nanoTime), 0 before the first. */
  long idleSince;
}

/** 64 bytes after the drain task's fields, before the subscription's own (read-only) fields. */
@SuppressWarnings("unused")
abstract class SubscriptionPadAfterConsumer extends SubscriptionConsumerSide {
  /** Fills a gap after the drain task's fields, which the JVM would otherwise give a field. */
  int p2;
  long p20, p21, p22, p23, p24, p25, p26, p27;
}
