package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.QueueReceipt;
import io.agentbus.TransportException;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.StoreAck;
import io.agentbus.test.ForwardingTransport;
import io.agentbus.test.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The durable queue's own publish retry, driven through {@link MessageBus}'s public API against a
 * store that fails on command, under virtual time: retriable failures are retried (every 100 ms)
 * until the queue's publish timeout, a refusal fails at once, and a closed bus or a cancelled
 * future stops the retries.
 */
class DurablePublishRetryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RETRY_DELAY = Duration.ofMillis(100);
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
  private static final String QUEUE = "jobs";

  private final VirtualScheduler time = VirtualScheduler.create();
  private final FailingStore store = new FailingStore(
      InMemoryTransport.builder().server(InMemoryServer.builder().scheduler(time).build())
          .scheduler(time).build());
  private final MessageBus bus = MessageBus.builder().transport(store).codec(JsonCodec.create())
      .scheduler(time).queue(QUEUE, QueueOptions.durable().publishTimeout(PUBLISH_TIMEOUT).build())
      .build();

  @AfterEach
  void close() {
    bus.close();
  }

  private static AgentMessage job() {
    return AgentMessage.builder().fromAgent("coordinator").messageType(MessageType.TASK_ASSIGNMENT)
        .content(Map.of("job", 1)).timestamp(Instant.EPOCH).build();
  }

  private static TransportException unreachable() {
    return new TransportException("simulated: no store answered", null, true);
  }

  @Test
  void retriableFailuresAreRetriedUntilTheStoreTakesTheItem() throws Exception {
    store.failNext(3, unreachable());
    Instant start = time.now();

    CompletableFuture<QueueReceipt> f = bus.publishToQueueAsync(QUEUE, job(), "job-1");
    for (int retry = 1; retry <= 3; retry++) {
      assertThat(f).as("after %d attempts", retry).isNotDone();
      time.advance(RETRY_DELAY);
    }

    QueueReceipt receipt = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(receipt.messageId()).isEqualTo("job-1");
    assertThat(receipt.duplicate()).isFalse();
    assertThat(store.attempts).containsExactly(start, start.plus(RETRY_DELAY),
        start.plus(RETRY_DELAY.multipliedBy(2)), start.plus(RETRY_DELAY.multipliedBy(3)));
    assertThat(bus.queueStats(QUEUE).publishRetries()).isEqualTo(3);
    assertThat(bus.queueStats(QUEUE).published()).isEqualTo(1);
  }

  @Test
  void theBlockingPublishWaitsThroughTheRetries() throws Exception {
    store.holdNext(2);
    CompletableFuture<QueueReceipt> publishing = CompletableFuture.supplyAsync(
        () -> bus.publishToQueue(QUEUE, job(), "job-2"));
    for (int attempt = 1; attempt <= 2; attempt++) {
      CompletableFuture<StoreAck> held = store.held.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(held).as("publish attempt %d", attempt).isNotNull();
      // the bus schedules its retry on whichever thread sees the failure first: this one, or the
      // publishing thread if it had not yet registered for the outcome; wait for it either way
      int pending = time.pendingTasks();
      held.completeExceptionally(unreachable());
      time.awaitPendingTasks(pending + 1, WAIT);
      assertThat(publishing).isNotDone();
      time.advance(RETRY_DELAY);
    }

    assertThat(publishing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).messageId())
        .isEqualTo("job-2");
    assertThat(store.attempts).hasSize(3);
  }

  @Test
  void retriableFailuresAreRetriedUntilThePublishTimeoutAndThenFail() {
    store.failNext(Integer.MAX_VALUE, unreachable());
    Instant start = time.now();

    CompletableFuture<QueueReceipt> f = bus.publishToQueueAsync(QUEUE, job(), "job-3");
    time.advance(PUBLISH_TIMEOUT.minusMillis(1));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));

    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).cause().isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isTrue())
        .hasMessageContaining("job-3")
        .hasMessageContaining("publish timeout of " + PUBLISH_TIMEOUT.toMillis() + " ms")
        .hasMessageContaining("no store answered");
    // one attempt every 100 ms from the start to the deadline, none after it
    int attempts = (int) (PUBLISH_TIMEOUT.toMillis() / RETRY_DELAY.toMillis()) + 1;
    assertThat(store.attempts).hasSize(attempts).allSatisfy(
        at -> assertThat(at).isBetween(start, start.plus(PUBLISH_TIMEOUT)));
    assertThat(bus.queueStats(QUEUE).publishRetries()).isEqualTo(attempts - 1);
    time.advance(PUBLISH_TIMEOUT);
    assertThat(store.attempts).hasSize(attempts);
    assertThat(bus.queueStats(QUEUE).published()).isZero();
  }

  @Test
  void aRefusedItemFailsAtOnceWithoutARetry() {
    store.failNext(Integer.MAX_VALUE,
        new TransportException("simulated: maximum messages exceeded", null, false));

    CompletableFuture<QueueReceipt> f = bus.publishToQueueAsync(QUEUE, job(), "job-4");

    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(() -> bus.publishToQueue(QUEUE, job(), "job-5"))
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isFalse())
        .hasMessageContaining("job-5").hasMessageContaining("the store refused it")
        .hasMessageContaining("maximum messages exceeded");
    time.advance(PUBLISH_TIMEOUT);
    assertThat(store.attempts).hasSize(2);
    assertThat(bus.queueStats(QUEUE).publishRetries()).isZero();
  }

  @Test
  void closingTheBusStopsTheRetries() {
    store.failNext(Integer.MAX_VALUE, unreachable());
    CompletableFuture<QueueReceipt> f = bus.publishToQueueAsync(QUEUE, job(), "job-6");
    assertThat(store.attempts).hasSize(1);

    bus.close();
    time.advance(PUBLISH_TIMEOUT);

    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).cause().hasMessageContaining("job-6")
        .hasMessageContaining("closed");
    assertThat(store.attempts).as("store attempts after the bus was closed").hasSize(1);
  }

  @Test
  void cancellingThePublishStopsTheRetries() {
    store.failNext(Integer.MAX_VALUE, unreachable());
    CompletableFuture<QueueReceipt> f = bus.publishToQueueAsync(QUEUE, job(), "job-7");

    assertThat(f.cancel(false)).isTrue();
    time.advance(PUBLISH_TIMEOUT);

    assertThat(f).isCancelled();
    assertThat(store.attempts).hasSize(1);
  }

  /**
   * A transport on the in-memory one whose durable store fails the next {@code n} publishes
   * with a given error, or holds them for the test to complete ({@link #held}), and notes the
   * virtual time of every publish attempt.
   */
  private final class FailingStore extends ForwardingTransport {
    final List<Instant> attempts = new CopyOnWriteArrayList<>();
    final BlockingQueue<CompletableFuture<StoreAck>> held = new LinkedBlockingQueue<>();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile @Nullable RuntimeException error;

    FailingStore(InMemoryTransport delegate) {
      super(delegate);
    }

    void failNext(int n, RuntimeException e) {
      error = e;
      failures.set(n);
    }

    void holdNext(int n) {
      error = null;
      failures.set(n);
    }

    @Override
    protected DurableStreams streams(DurableStreams real) {
      return new ForwardingDurableStreams(real) {
        @Override
        public CompletableFuture<StoreAck> publish(String subject, Headers headers,
            byte[] payload, String messageId, Duration timeout) {
          attempts.add(time.now());
          if (failures.getAndDecrement() > 0) {
            RuntimeException e = error;
            if (e == null) {
              CompletableFuture<StoreAck> pending = new CompletableFuture<>();
              held.add(pending);
              return pending;
            }
            return CompletableFuture.failedFuture(e);
          }
          return super.publish(subject, headers, payload, messageId, timeout);
        }
      };
    }
  }
}
