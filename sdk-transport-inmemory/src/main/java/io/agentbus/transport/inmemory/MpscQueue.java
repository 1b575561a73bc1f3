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
 */
final class MpscQueue<E> {
  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      TAIL = l.findVarHandle(MpscQueue.class, "tail", Node.class);
      NEXT = l.findVarHandle(Node.class, "next", Node.class);
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

  @SuppressWarnings("unused") // accessed through TAIL
  private volatile Node<E> tail;
  private Node<E> head;

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
    return v;
  }
}
