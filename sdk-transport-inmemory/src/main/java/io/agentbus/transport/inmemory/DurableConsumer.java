package io.agentbus.transport.inmemory;

import io.agentbus.Subjects;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.StreamSpec;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A durable consumer of a {@link StoredStream} and its delivery bookkeeping: the cursor, the
 * deliveries not yet settled with their ack-wait timers, delivery counts, and the messages waiting
 * to be redelivered. Its fields are guarded by the store's lock; the settling methods take it.
 */
final class DurableConsumer {
  private final Object lock;
  private final Scheduler scheduler;
  final StoredStream stream;
  ConsumerSpec spec;
  /** The next stream sequence never delivered. */
  private long cursor = 1;
  final Deque<Long> redeliver = new ArrayDeque<>();
  /** Delivered and unsettled: sequence to its delivery. */
  final Map<Long, Pending> pending = new HashMap<>();
  private final Map<Long, Integer> deliveries = new HashMap<>();

  DurableConsumer(StoredStream stream, ConsumerSpec spec, Scheduler scheduler, Object lock) {
    this.stream = stream;
    this.spec = spec;
    this.scheduler = scheduler;
    this.lock = lock;
  }

  /** The next message to deliver, or null; registers it as pending. Called under the lock. */
  @Nullable DeliveredMessage next(StreamSession session) {
    if (pending.size() >= spec.maxAckPending()) {
      return null;
    }
    Long seq = redeliver.pollFirst();
    StoredStream.Entry e = null;
    while (seq != null) {
      e = stream.messages.get(seq);
      if (e != null && !pending.containsKey(seq)) {
        break;
      }
      e = null;
      seq = redeliver.pollFirst();
    }
    if (e == null) {
      Map.Entry<Long, StoredStream.Entry> candidate = stream.messages.ceilingEntry(cursor);
      while (candidate != null
          && !Subjects.matches(spec.filterSubject(), candidate.getValue().subject)) {
        candidate = stream.messages.higherEntry(candidate.getKey());
      }
      if (candidate == null) {
        cursor = stream.lastSeq + 1;
        return null;
      }
      e = candidate.getValue();
      cursor = e.seq + 1;
    }
    int count = deliveries.merge(e.seq, 1, Integer::sum);
    Pending p = new Pending(e.seq, count);
    pending.put(e.seq, p);
    p.armAckWait(spec.ackWait());
    return new DeliveredMessage(session, this, e, p);
  }

  /**
   * The consumer's counts as a NATS server reports them: stored messages it has not delivered
   * yet, deliveries not acknowledged (waiting for their redelivery included), and of those the
   * messages delivered more than once. Called under the lock.
   */
  long[] counts() {
    long waiting = 0;
    for (StoredStream.Entry e : stream.messages.tailMap(cursor, true).values()) {
      if (Subjects.matches(spec.filterSubject(), e.subject)) {
        waiting++;
      }
    }
    Set<Long> unacked = new HashSet<>(pending.keySet());
    unacked.addAll(redeliver);
    long redelivered = 0;
    for (Long seq : unacked) {
      if (deliveries.getOrDefault(seq, 0) > 1) {
        redelivered++;
      }
    }
    return new long[] {waiting, unacked.size(), redelivered};
  }

  /** Called under the lock. */
  void wakeUp() {
    lock.notifyAll();
  }

  /** Called under the lock. */
  void forget(long seq) {
    Pending p = pending.remove(seq);
    if (p != null) {
      p.disarm();
    }
    deliveries.remove(seq);
    redeliver.remove(seq);
  }

  /** Settles delivery {@code p}: true if it was still the current delivery of its message. */
  private boolean settle(Pending p) {
    if (pending.get(p.seq) != p) {
      return false;
    }
    pending.remove(p.seq);
    p.disarm();
    return true;
  }

  /** Acknowledges message {@code seq}, removing it from a work-queue stream. */
  void ack(long seq) {
    synchronized (lock) {
      // as on NATS, a late ack (the message was redelivered meanwhile) still acknowledges it
      if (!stream.messages.containsKey(seq)) {
        return;
      }
      forget(seq);
      if (stream.spec.retention() == StreamSpec.Retention.WORK_QUEUE) {
        stream.remove(seq);
      }
      wakeUp();
    }
  }

  /** Settles delivery {@code p} and redelivers its message after {@code delay}. */
  void retryAfter(Pending p, Duration delay) {
    synchronized (lock) {
      if (!settle(p)) {
        return;
      }
      if (delay.isZero() || delay.isNegative()) {
        redeliver.addLast(p.seq);
        wakeUp();
        return;
      }
      // held as pending until the delay is over, as NATS does with a delayed NAK
      Pending held = new Pending(p.seq, p.deliveryCount);
      pending.put(p.seq, held);
      held.timer = scheduler.schedule(delay, () -> {
        synchronized (lock) {
          if (settle(held)) {
            redeliver.addLast(held.seq);
            wakeUp();
          }
        }
      });
    }
  }

  /** Restarts the ack wait of delivery {@code p}, if it is still the current one. */
  void inProgress(Pending p) {
    synchronized (lock) {
      if (pending.get(p.seq) == p) {
        p.armAckWait(spec.ackWait());
      }
    }
  }

  /** One delivery of a message, unsettled: its delivery count and its timer. */
  final class Pending {
    final long seq;
    final int deliveryCount;
    Scheduler.@Nullable Cancellable timer;

    Pending(long seq, int deliveryCount) {
      this.seq = seq;
      this.deliveryCount = deliveryCount;
    }

    void armAckWait(Duration wait) {
      disarm();
      timer = scheduler.schedule(wait, () -> {
        synchronized (lock) {
          if (settle(this)) {
            redeliver.addLast(seq);
            wakeUp();
          }
        }
      });
    }

    void disarm() {
      Scheduler.Cancellable t = timer;
      if (t != null) {
        t.cancel();
        timer = null;
      }
    }
  }
}
