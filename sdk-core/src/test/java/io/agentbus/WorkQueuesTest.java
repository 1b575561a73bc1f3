package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WorkQueuesTest {
  private static final AgentMessage ITEM =
      FakeCodec.message("planner", null, MessageType.TASK_ASSIGNMENT, null);
  private final RecordingStreams streams = new RecordingStreams();
  private final RecordingTransport transport = RecordingTransport.withStreams(streams);

  @Test
  void anAtMostOnceItemWithoutAnIdGoesWithoutHeaders() {
    BusParts parts = BusParts.on(transport).build();
    QueueReceipt r = parts.queues.publishAtMostOnce("jobs", ITEM, null);
    assertThat(r).isEqualTo(new QueueReceipt("jobs", null, false, null, 0, false));
    RecordingTransport.Sent sent = transport.published.get(0);
    assertThat(sent.subject()).isEqualTo("ns.queue.jobs");
    assertThat(sent.headers()).isEqualTo(Headers.empty());
    assertThat(parts.metrics.queueSnapshot("jobs").published()).isEqualTo(1);
    assertThat(parts.metrics.published.sum()).isEqualTo(1);
    assertThat(streams.stored).isEmpty();
  }

  @Test
  void anAtMostOnceItemWithAnIdCarriesItBesideTheContentType() {
    FakeCodec text = FakeCodec.labelled("application/x-text");
    BusParts parts = BusParts.on(transport).codec(text).build();
    QueueReceipt r = parts.queues.publishAtMostOnce("jobs", ITEM, "task-7");
    assertThat(r.messageId()).isEqualTo("task-7");
    assertThat(transport.published.get(0).headers()).isEqualTo(Headers.builder()
        .add(Headers.CONTENT_TYPE, "application/x-text").add(Headers.MESSAGE_ID, "task-7")
        .build());
  }

  @Test
  void anAtMostOnceItemOnAClosedBusIsRefused() {
    BusParts parts = BusParts.on(transport).build();
    parts.closed.set(true);
    assertThatThrownBy(() -> parts.queues.publishAtMostOnce("jobs", ITEM, "task-7"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(transport.published).isEmpty();
    assertThat(parts.metrics.queueSnapshot("jobs").published()).isZero();
  }

  @Test
  void aDurableItemIsStoredInTheQueuesStreamUnderItsId() {
    BusParts parts = BusParts.on(transport)
        .queue("jobs", QueueOptions.durable().publishTimeout(Duration.ofSeconds(10)).build())
        .build();
    assertThat(streams.declared).extracting(StreamSpec::name)
        .containsExactly("ns_deadletter", "ns_queue_jobs");
    assertThat(streams.declared.get(1).retention()).isEqualTo(StreamSpec.Retention.WORK_QUEUE);

    QueueReceipt r = parts.queues.publishDurably("jobs", ITEM, "task-7").join();

    assertThat(r).isEqualTo(new QueueReceipt("jobs", "task-7", true, "ns_queue_jobs", 1, false));
    RecordingStreams.Store s = streams.stored.get(0);
    assertThat(s.subject()).isEqualTo("ns.queue.jobs");
    assertThat(s.messageId()).isEqualTo("task-7");
    assertThat(s.headers()).isEqualTo(Headers.of(Headers.MESSAGE_ID, "task-7"));
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(2)); // a fifth of the publish timeout
    assertThat(FakeCodec.json().decode(s.payload())).isEqualTo(ITEM);
    assertThat(transport.published).isEmpty();
    assertThat(parts.metrics.queueSnapshot("jobs").published()).isEqualTo(1);
    assertThat(parts.metrics.published.sum()).isEqualTo(1);
  }

  @Test
  void aStoreThatRefusesADurableItemFailsItsPublishNamingTheQueue() {
    BusParts parts = BusParts.on(transport).queue("jobs", QueueOptions.durable().build()).build();
    streams.failStores(new TransportException("maximum messages exceeded", null, false));
    assertThatThrownBy(() -> parts.queues.publishDurably("jobs", ITEM, "task-7").join())
        .hasCauseInstanceOf(TransportException.class)
        .hasMessageContaining("task-7").hasMessageContaining("durable queue 'jobs'")
        .hasMessageContaining("refused");
    assertThat(parts.metrics.queueSnapshot("jobs").published()).isZero();
  }

  @Test
  void aDurableQueueOnATransportWithoutStreamsIsAConfigurationError() {
    RecordingTransport core = RecordingTransport.coreOnly();
    BusParts parts = BusParts.on(core).build();
    assertThatThrownBy(() -> new WorkQueues(core, parts.subjects,
        Map.of("jobs", QueueOptions.durable().build()), QueueOptions.atMostOnce(), null,
        parts.publisher, parts.pipeline, parts.deadLetters, parts.metrics).declareConfigured())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'jobs'").hasMessageContaining("core-only");
  }

  @Test
  void atMostOnceWorkersJoinTheQueueGroupAndCountWhatTheyHandle() throws Exception {
    BusParts parts = BusParts.on(transport).build();
    List<String> handled = new CopyOnWriteArrayList<>();
    List<TransportSubscription> workers = parts.queues.startWorkers("jobs", d -> {
      if (d.message().correlationId() != null) {
        throw new IllegalStateException("cannot");
      }
      handled.add(d.subject());
    }, 2);

    assertThat(workers).hasSize(2).allMatch(w -> "jobs".equals(w.queueGroup())
        && "ns.queue.jobs".equals(w.subject()));
    byte[] payload = FakeCodec.json().encode(ITEM);
    transport.subscriptions.get(0).deliver(
        new TransportMessage("ns.queue.jobs", null, Headers.empty(), payload));
    transport.subscriptions.get(1).deliver(new TransportMessage("ns.queue.jobs", null,
        Headers.empty(), FakeCodec.json().encode(ITEM.toBuilder().correlationId("c").build())));

    assertThat(handled).containsExactly("ns.queue.jobs");
    QueueStats stats = parts.metrics.queueSnapshot("jobs");
    assertThat(stats.delivered()).isEqualTo(2);
    assertThat(stats.handled()).isEqualTo(1);
    assertThat(stats.handlerFailures()).isEqualTo(1);
    assertThat(transport.publishedTo("ns.deadletter")).hasSize(1);
  }

  @Test
  void workersStartedBeforeOneFailsAreStopped() {
    BusParts parts = BusParts.on(transport).build();
    transport.failSubscriptionsAfter(2, new TransportException("too many subscriptions"));
    assertThatThrownBy(() -> parts.queues.startWorkers("jobs", d -> { }, 3))
        .isInstanceOf(TransportException.class);
    assertThat(transport.subscriptions).hasSize(2).noneMatch(TransportSubscription::isActive);
  }

  @Test
  void durableWorkersConsumeTheQueuesStreamAndAcknowledgeWhatTheyHandled() throws Exception {
    BusParts parts = BusParts.on(transport).queue("jobs", QueueOptions.durable().build()).build();
    List<Delivery> handled = new CopyOnWriteArrayList<>();
    parts.queues.startWorkers("jobs", handled::add, 1);

    ConsumerSpec spec = streams.consumers.get(0);
    assertThat(spec.stream()).isEqualTo("ns_queue_jobs");
    assertThat(spec.name()).isEqualTo(DurableWorkQueue.CONSUMER_NAME);
    assertThat(spec.filterSubject()).isEqualTo("ns.queue.jobs");
    RecordingStreams.Kept item = new RecordingStreams.Kept(new TransportMessage("ns.queue.jobs",
        null, Headers.of(Headers.MESSAGE_ID, "task-7"), FakeCodec.json().encode(ITEM)),
        "ns_queue_jobs", 12, 1);
    streams.workers.get(0).deliver(item);

    assertThat(item.acks).hasValue(1);
    assertThat(handled).extracting(Delivery::messageId).containsExactly("task-7");
    assertThat(handled.get(0).sequence()).isEqualTo(12);
    assertThat(parts.metrics.queueSnapshot("jobs").handled()).isEqualTo(1);
  }
}
