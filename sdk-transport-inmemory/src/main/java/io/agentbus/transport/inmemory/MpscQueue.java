package io.agentbus.transport.inmemory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * An unbounded multi-producer, single-consumer linked queue (Vyukov's): an offer is one atomic
 * exchange, a poll touches no shared counter. The bound lives in the subscription's control word,
 * not here. {@link #poll} may briefly return null while an offer is half-way (after the exchange,
 * before the link); the consumer knows from the control word that an element is coming and spins.
 *
 * <p>Only one thread polls at a time; consecutive pollers must be ordered by a happens-before
 * edge (the subscription hands the consumer role over through its control word and the executor).
 *
 * <p>The producers' {@code tail} and the consumer's {@code head} sit on different cache lines
 * (the padding classes below: the JVM lays out a superclass's fields before a subclass's, but puts
 * a 4-byte field into any 4-byte gap it finds, so each padding class starts with an {@code int}
 * that fills the gap a reference would otherwise move into), so that a poll does not take from
 * the publishing core the line an offer is about to write.
 */
final class MpscQueue<E> extends MpscQueueHead<E> {
  private static final VarHandle TAIL;
  private static final VarHandle NEXT;
  private static final VarHandle POLLED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(MpscQueueTail.class, "tail", Node.class);
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
      POLLED = l.findVarHandle(MpscQueueHead.class, "polled", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final class Node<E> {
    @Nullable E value;
    @Nullable Node<E> next;

    Node(@Nullable E value) {
      this.value = value;
    }
  }

  /**
   * 64 bytes after the consumer's fields (a subclass's fields come after its superclass's), for
   * whatever the heap puts after the queue: the subscription's control word, say.
   */
  @SuppressWarnings("unused")
  private long p20, p21, p22, p23, p24, p25, p26, p27;

  MpscQueue() {
    Node<E> stub = new Node<>(null);
    head = stub;
    tail = stub;
  }

  void offer(E e) {
    Node<E> n = new Node<>(e);
    @SuppressWarnings("unchecked")
    Node<E> prev = (Node<E>) TAIL.getAndSet(this, n);
    NEXT.setRelease(prev, n);
  }

  @Nullable E poll() {
    @SuppressWarnings("unchecked")
    Node<E> next = (Node<E>) NEXT.getAcquire(head);
    if (next == null) {
      return null;
    }
    E v = next.value;
    next.value = null;
    head = next;
    // one poller at a time: a plain increment, published for polled() without an atomic
    // instruction, on the consumer's own cache line
    POLLED.setOpaque(this, polled + 1);
    return v;
  }

  /** Elements polled so far; any thread may ask. */
  long polled() {
    return (long) POLLED.getOpaque(this);
  }
}

/** 64 bytes before the tail, so that it shares no cache line with whatever precedes the queue. */
@SuppressWarnings("unused")
abstract class MpscQueuePadBeforeTail {
  /** Fills the gap after the object header, which the JVM would otherwise give the tail. */
  int p0;
  long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class MpscQueueTail<E> extends MpscQueuePadBeforeTail {
  @SuppressWarnings("unused") // accessed through MpscQueue.TAIL
  volatile MpscQueue.Node<E> tail;
}

/** 64 bytes between the tail and the head. */
@SuppressWarnings("unused")
abstract class MpscQueuePadAfterTail<E> extends MpscQueueTail<E> {
  /** Fills the gap after the tail, which the JVM would otherwise give the head. */
  int p1;
  long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The consumer's fields. */
abstract class MpscQueueHead<E> extends MpscQueuePadAfterTail<E> {
  MpscQueue.Node<E> head;
  long polled; // written by the poller only, through MpscQueue.POLLED
}
