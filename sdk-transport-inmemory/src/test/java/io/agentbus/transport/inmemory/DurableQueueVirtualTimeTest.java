package io.agentbus.transport.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.QueueStats;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Durable queues through {@link MessageBus} on the in-memory transport under virtual time: the
 * backoff, the ack wait kept alive by a long handler, and the moment of dead-lettering, to the
 * millisecond and without waiting for a clock.
 */
class DurableQueueVirtualTimeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String STREAM = "orchestrator_queue_jobs";

  private final VirtualScheduler time = VirtualScheduler.create();
  private final InMemoryServer server = InMemoryServer.builder().scheduler(time).build();
  private final CountDownLatch release = new CountDownLatch(1);
  private MessageBus bus;

  private MessageBus bus(QueueOptions options) {
    bus = MessageBus.builder()
        .transport(InMemoryTransport.builder().server(server).scheduler(time).build())
        .codec(JsonCodec.create())
        .scheduler(time)
        .queue("jobs", options)
        .build();
    return bus;
  }

  @AfterEach
  void close() {
    release.countDown();
    if (bus != null) {
      bus.close();
    }
  }

  private static AgentMessage job(long n) {
    return AgentMessage.builder().fromAgent("coordinator").messageType(MessageType.TASK_ASSIGNMENT)
        .content(Map.of("job", n)).timestamp(Instant.EPOCH).build();
  }

  private InMemoryStreams.ConsumerState state() {
    return server.streams.consumerState(STREAM, "workers");
  }

  @Test
  void aFailedItemComesBackExactlyAfterItsBackoff() throws Exception {
    MessageBus b = bus(QueueOptions.durable().backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
        .maxDeliveries(5).build());
    BlockingQueue<Instant> calls = new LinkedBlockingQueue<>();
    b.createWorkQueue("jobs", d -> {
      calls.add(time.now());
      if (d.deliveryCount() < 3) {
        throw new IllegalStateException("not yet");
      }
    }, 1);
    Instant start = time.now();
    b.publishToQueue("jobs", job(1), "job-1");

    assertThat(take(calls)).isEqualTo(start);
    awaitStats(b, s -> s.retried() == 1);
    time.advance(Duration.ofMillis(999));
    assertThat(state()).isEqualTo(new InMemoryStreams.ConsumerState(1, 0));
    assertThat(calls).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(take(calls)).isEqualTo(start.plusSeconds(1));

    awaitStats(b, s -> s.retried() == 2);
    time.advance(Duration.ofMillis(4999));
    assertThat(calls).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(take(calls)).isEqualTo(start.plusSeconds(6));
    QueueStats s = awaitStats(b, st -> st.handled() == 1);
    assertThat(s.handlerFailures()).isEqualTo(2);
    assertThat(server.storedMessageCount(STREAM)).isZero();
  }

  @Test
  void aLongHandlerKeepsItsItemBeyondManyAckWaits() throws Exception {
    MessageBus b = bus(QueueOptions.durable().ackWait(Duration.ofSeconds(30)).build());
    BlockingQueue<Delivery> calls = new LinkedBlockingQueue<>();
    b.createWorkQueue("jobs", d -> {
      calls.add(d);
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }, 2);
    b.publishToQueue("jobs", job(1), "job-1");
    take(calls);
    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofSeconds(20)); // the bus says "in progress" every 15 s
    }
    assertThat(state()).isEqualTo(new InMemoryStreams.ConsumerState(1, 0));
    assertThat(calls).isEmpty(); // the second worker never saw it
    release.countDown();
    awaitStats(b, s -> s.handled() == 1);
    assertThat(server.storedMessageCount(STREAM)).isZero();
  }

  @Test
  void anItemIsDeadLetteredOnItsLastDeliveryWithItsErrorAndCount() throws Exception {
    MessageBus b = bus(QueueOptions.durable().backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
        .maxDeliveries(3).build());
    BlockingQueue<TransportMessage> dead = new LinkedBlockingQueue<>();
    InMemoryTransport watcher = server.connect();
    watcher.subscribe("orchestrator.deadletter", null, dead::add);
    BlockingQueue<Instant> calls = new LinkedBlockingQueue<>();
    b.createWorkQueue("jobs", d -> {
      calls.add(time.now());
      throw new IllegalArgumentException("malformed job " + d.message().content().get("job"));
    }, 1);
    Instant start = time.now();
    b.publishToQueue("jobs", job(7), "job-7");
    take(calls);
    awaitStats(b, s -> s.retried() == 1);
    time.advance(Duration.ofSeconds(1));
    take(calls);
    awaitStats(b, s -> s.retried() == 2);
    time.advance(Duration.ofSeconds(5));
    assertThat(take(calls)).isEqualTo(start.plusSeconds(6));

    TransportMessage letter = take(dead);
    assertThat(letter.headers().first(Headers.ERROR)).isEqualTo(
        "handler failed: IllegalArgumentException: malformed job 7");
    assertThat(letter.headers().first(Headers.DELIVERY_COUNT)).isEqualTo("3");
    awaitStats(b, s -> s.deadLettered() == 1);
    assertThat(server.storedMessageCount(STREAM)).isZero();
    assertThat(server.storedMessageCount("orchestrator_deadletter")).isEqualTo(1);
    // nothing comes back however long we wait
    time.advance(Duration.ofHours(1));
    assertThat(calls.poll(50, TimeUnit.MILLISECONDS)).isNull();
    watcher.close();
  }

  private static <T> T take(BlockingQueue<T> q) throws InterruptedException {
    T t = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(t).as("nothing within %s", WAIT).isNotNull();
    return t;
  }

  private static QueueStats awaitStats(MessageBus b, Predicate<QueueStats> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    QueueStats s = b.queueStats("jobs");
    while (!condition.test(s)) {
      assertThat(System.nanoTime() < deadline).as("stats never matched: %s", s).isTrue();
      TimeUnit.MILLISECONDS.sleep(2); // polling a counter another thread sets
      s = b.queueStats("jobs");
    }
    return s;
  }
}
