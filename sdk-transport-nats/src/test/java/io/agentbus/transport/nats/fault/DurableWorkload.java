package io.agentbus.transport.nats.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueStats;
import io.agentbus.ReplayResult;
import io.agentbus.ReplayStart;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A producer that stores {@code total} work items on a durable queue, and workers that count, per item, how many
 * times the application handled it. Item {@code n} is poison when {@code n % 1000 == 999} (its
 * handler always throws: it must end in the dead-letter stream) and flaky when {@code n % 97 ==
 * 0} (its handler throws on the first delivery only). The bus retries a failed store itself
 * until the queue's publish timeout; the producer counts each time the bus gave up ({@link
 * #busGaveUp()}) and publishes such an item again with the same message id, so that a run still
 * ends with every item stored and the test can show how often the bus's own retries fell short.
 * Thread-safe.
 */
final class DurableWorkload implements AutoCloseable {
  static final String QUEUE = "work";

  private final int total;
  private final MessageBus producer;
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fault-producer-retry");
        t.setDaemon(true);
        return t;
      });
  private final Semaphore window = new Semaphore(512);
  private final Set<Long> acked = ConcurrentHashMap.newKeySet();
  final LongAdder publishAttempts = new LongAdder();
  private final LongAdder busGaveUp = new LongAdder();
  final LongAdder storeDuplicates = new LongAdder();
  final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();
  final LongAdder handlerCalls = new LongAdder();
  private final AtomicLong progress = new AtomicLong();
  private volatile boolean stopped;

  DurableWorkload(int total, MessageBus producer) {
    this.total = total;
    this.producer = producer;
  }

  static boolean poison(long n) {
    return n % 1000 == 999;
  }

  static boolean flaky(long n) {
    return n % 97 == 0 && !poison(n);
  }

  int expectedPoison() {
    int p = 0;
    for (long n = 0; n < total; n++) {
      if (poison(n)) {
        p++;
      }
    }
    return p;
  }

  /** The application's handler: counts each successful handling of an item. */
  void handle(Delivery d) {
    handlerCalls.increment();
    long n = (Long) d.message().content().get("n");
    if (poison(n)) {
      throw new IllegalStateException("poison item " + n);
    }
    if (flaky(n) && d.deliveryCount() == 1) {
      throw new IllegalStateException("transient failure on item " + n);
    }
    handled.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
    progress.incrementAndGet();
  }

  /** Publishes every item on the calling thread, at most 512 unacknowledged at once. */
  void publishAll() throws InterruptedException {
    for (long n = 0; n < total && !stopped; n++) {
      window.acquire();
      publish(n);
    }
  }

  private void publish(long n) {
    if (stopped) {
      window.release();
      return;
    }
    publishAttempts.increment();
    AgentMessage m = AgentMessage.builder().fromAgent("fault-producer")
        .messageType(MessageType.TASK_ASSIGNMENT)
        .content(Map.of("n", n, "task", "build module " + n))
        .timestamp(Instant.now()).build();
    try {
      producer.publishToQueueAsync(QUEUE, m, "item-" + n).whenComplete((r, e) -> {
        if (e == null) {
          if (r.duplicate()) {
            storeDuplicates.increment();
          }
          if (acked.add(n)) {
            progress.incrementAndGet();
          }
          window.release();
        } else {
          retryLater(n);
        }
      });
    } catch (RuntimeException e) {
      retryLater(n);
    }
  }

  private void retryLater(long n) {
    busGaveUp.increment();
    retries.schedule(() -> publish(n), 200, TimeUnit.MILLISECONDS);
  }

  /** Publishes the bus failed (it gave up retrying) or refused: zero when its retries work. */
  long busGaveUp() {
    return busGaveUp.sum();
  }

  /** Publish attempts the bus repeated by itself after a failure. */
  long busPublishRetries() {
    return producer.queueStats(QUEUE).publishRetries();
  }

  /** Items acknowledged by the store plus items handled: grows to about twice the total. */
  long progress() {
    return progress.get();
  }

  int acked() {
    return acked.size();
  }

  Set<Long> ackedItems() {
    return acked;
  }

  /** Distinct items whose handler returned. */
  int handledItems() {
    return handled.size();
  }

  /** Handlings beyond the first, over all items: what "processed twice" counts. */
  long processedTwice() {
    long twice = 0;
    for (AtomicInteger c : handled.values()) {
      twice += Math.max(0, c.get() - 1);
    }
    return twice;
  }

  /** The distinct items in the dead-letter stream, read back by replay. */
  static Set<Long> deadLettered(MessageBus bus, Duration wait) throws Exception {
    Set<Long> items = ConcurrentHashMap.newKeySet();
    ReplayResult r = bus.replay(bus.subjects().deadLetter(), ReplayStart.beginning(),
        d -> items.add((Long) d.message().content().get("n")))
        .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(r.decodeFailures()).isZero();
    return items;
  }

  FaultFigures figures(String test, QueueStats workers, Set<Long> deadLettered, long lost,
      int kills, long millis) {
    DurableWorkload w = this;
    return new FaultFigures(test)
        .put("sent", w.total)
        .put("publishAttempts", w.publishAttempts.sum())
        .put("publishRetriesInBus", w.busPublishRetries())
        .put("publishGaveUp", w.busGaveUp())
        .put("acked", w.acked())
        .put("storeDuplicates", w.storeDuplicates.sum())
        .put("delivered", workers.delivered())
        .put("redelivered", workers.redelivered())
        .put("handled", w.handledItems())
        .put("processedTwice", w.processedTwice())
        .put("handlerFailures", workers.handlerFailures())
        .put("duplicatesSuppressed", workers.duplicatesSuppressed())
        .put("ackFailures", workers.ackFailures())
        .put("deadLettered", deadLettered.size())
        .put("lost", lost)
        .put("kills", kills)
        .put("wallMillis", millis);
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void close() {
    stopped = true;
    retries.shutdownNow();
  }
}
