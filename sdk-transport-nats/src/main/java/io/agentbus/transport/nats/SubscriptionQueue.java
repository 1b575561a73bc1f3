package io.agentbus.transport.nats;

import io.nats.client.Message;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The bounded, serial queue of one subscription: the transport's shared jnats dispatcher offers
 * each message here (which only enqueues, so one dispatcher thread serves every subscription),
 * and one task at a time of the transport's handler pool takes them out, in order, and delivers
 * them. A subscription whose handler blocks holds one pool thread and delays only itself; an idle
 * subscription holds no thread. Past the pending limits (messages or payload bytes) newer
 * messages are dropped and counted, and the first drop of each burst is reported.
 */
final class SubscriptionQueue implements Runnable {
  private final Queue<Message> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong pendingMessages = new AtomicLong();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private final long maxMessages;
  private final long maxBytes;
  private final Executor executor;
  private final Consumer<Message> deliver;
  private final Runnable burstStarted;
  private volatile boolean inBurst;
  private volatile @Nullable CompletableFuture<Void> emptied;

  /**
   * @param deliver called for each message, one at a time, in the order offered
   * @param burstStarted called on the first drop after the queue last ran empty
   */
  SubscriptionQueue(long maxMessages, long maxBytes, Executor executor,
      Consumer<Message> deliver, Runnable burstStarted) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.executor = executor;
    this.deliver = deliver;
    this.burstStarted = burstStarted;
  }

  /** Enqueues {@code m}; past the limits drops and counts it and returns false. Never blocks. */
  boolean offer(Message m) {
    long bytes = size(m);
    if (pendingMessages.get() >= maxMessages || pendingBytes.get() + bytes > maxBytes) {
      dropped.increment();
      if (!inBurst) {
        inBurst = true;
        burstStarted.run();
      }
      return false;
    }
    pendingMessages.incrementAndGet();
    pendingBytes.addAndGet(bytes);
    queue.add(m);
    schedule();
    return true;
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this);
      } catch (RejectedExecutionException e) {
        scheduled.set(false); // the transport closed; what is left is counted by clear()
      }
    }
  }

  @Override
  public void run() {
    while (true) {
      Message m;
      while ((m = queue.poll()) != null) {
        pendingMessages.decrementAndGet();
        pendingBytes.addAndGet(-size(m));
        deliver.accept(m);
      }
      inBurst = false;
      scheduled.set(false);
      if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
        break;
      }
    }
    signalIfEmpty();
  }

  /** Completes once nothing is queued and no message is being delivered. */
  CompletableFuture<Void> whenEmpty() {
    CompletableFuture<Void> f = emptied;
    if (f == null) {
      f = new CompletableFuture<>();
      emptied = f;
    }
    signalIfEmpty();
    return f;
  }

  private void signalIfEmpty() {
    CompletableFuture<Void> f = emptied;
    if (f != null && !scheduled.get() && queue.isEmpty()) {
      f.complete(null);
    }
  }

  /** Removes every queued message without delivering it; returns how many there were. */
  long clear() {
    long n = 0;
    Message m;
    while ((m = queue.poll()) != null) {
      pendingMessages.decrementAndGet();
      pendingBytes.addAndGet(-size(m));
      n++;
    }
    signalIfEmpty();
    return n;
  }

  long pending() {
    return pendingMessages.get();
  }

  /** Messages dropped past the limits. */
  long dropped() {
    return dropped.sum();
  }

  long maxMessages() {
    return maxMessages;
  }

  long maxBytes() {
    return maxBytes;
  }

  private static long size(Message m) {
    byte[] data = m.getData();
    return data == null ? 0 : data.length;
  }
}
