package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private final RecordingStreams streams = new RecordingStreams();
  private final RecordingTransport transport = RecordingTransport.withStreams(streams);
  private final BusParts parts = BusParts.on(transport)
      .keepDeadLetters(HistoryOptions.keepFor(Duration.ofDays(1)).build()).build();
  private final BusMetrics.Queue queue = parts.metrics.queue("jobs");
  private final TransportMessage item = new TransportMessage("ns.queue.jobs", null,
      Headers.builder().add("traceparent", "00-1-2-01").add(Headers.MESSAGE_ID, "task-7").build(),
      new byte[] {'{', '}'});

  @Test
  void aPublishedDeadLetterKeepsTheOriginalHeadersAndAddsTheErrorAndSubject() {
    parts.deadLetters.publish(item, "handler failed: X: line one\r\nline two");
    RecordingTransport.Sent letter = transport.published.get(0);
    assertThat(letter.subject()).isEqualTo("ns.deadletter");
    assertThat(letter.headers()).isEqualTo(Headers.builder().add("traceparent", "00-1-2-01")
        .add(Headers.MESSAGE_ID, "task-7")
        .add(Headers.ERROR, "handler failed: X: line one  line two")
        .add(Headers.ORIGINAL_SUBJECT, "ns.queue.jobs")
        .add(DeadLetterGuard.ORIGINAL_SIZE, "2")
        .add(DeadLetterGuard.ORIGINAL_DIGEST,
            "sha-256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a").build());
    assertThat(letter.payload()).isEqualTo(item.payload());
    assertThat(parts.metrics.deadLettered.sum()).isEqualTo(1);
  }

  @Test
  void aStoredDeadLetterCarriesItsDeliveryCountStreamSequenceAndMessageId() throws Exception {
    RecordingStreams.Kept stored = new RecordingStreams.Kept(item, "ns_queue_jobs", 41, 5);
    String id = parts.deadLetters.store(stored, "handler failed: X: y", queue,
        Duration.ofSeconds(3));

    // the queue's stream in the id: items of two queues may share an id, one stream keeps both
    assertThat(id).isEqualTo("ns_queue_jobs/task-7");
    RecordingStreams.Store s = streams.stored.get(0);
    assertThat(s.subject()).isEqualTo("ns.deadletter");
    assertThat(s.messageId()).isEqualTo("ns_queue_jobs/task-7");
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.payload()).isEqualTo(item.payload());
    assertThat(s.headers().first("traceparent")).isEqualTo("00-1-2-01");
    assertThat(s.headers().first(Headers.ERROR)).isEqualTo("handler failed: X: y");
    assertThat(s.headers().first(Headers.ORIGINAL_SUBJECT)).isEqualTo("ns.queue.jobs");
    assertThat(s.headers().first(Headers.DELIVERY_COUNT)).isEqualTo("5");
    assertThat(s.headers().first(Headers.ORIGINAL_STREAM)).isEqualTo("ns_queue_jobs");
    assertThat(s.headers().first(Headers.ORIGINAL_SEQUENCE)).isEqualTo("41");
    assertThat(s.headers().first(Headers.MESSAGE_ID)).isEqualTo("ns_queue_jobs/task-7");
    assertThat(s.headers().first(Headers.ORIGINAL_MESSAGE_ID)).isEqualTo("task-7");
    assertThat(parts.metrics.deadLettered.sum()).isEqualTo(1);
    assertThat(queue.deadLettered.sum()).isEqualTo(1);
  }

  @Test
  void anItemWithoutAMessageIdIsStoredUnderItsStreamAndSequence() throws Exception {
    TransportMessage bare = new TransportMessage("ns.queue.jobs", null, Headers.empty(),
        new byte[] {'{', '}'});
    String id = parts.deadLetters.store(new RecordingStreams.Kept(bare, "ns_queue_jobs", 9, 3),
        "decode failed", queue, Duration.ofSeconds(1));
    assertThat(id).isEqualTo("ns_queue_jobs/seq-9");
    assertThat(streams.stored.get(0).headers().first(Headers.MESSAGE_ID))
        .isEqualTo("ns_queue_jobs/seq-9");
    assertThat(streams.stored.get(0).headers().contains(Headers.ORIGINAL_MESSAGE_ID)).isFalse();
  }

  @Test
  void itemsOfTwoQueuesWithOneIdGetDistinctDeadLetterIds() throws Exception {
    TransportMessage other = new TransportMessage("ns.queue.reports", null,
        Headers.of(Headers.MESSAGE_ID, "task-7"), new byte[] {'{', '}'});
    String first = parts.deadLetters.store(new RecordingStreams.Kept(item, "ns_queue_jobs", 1, 5),
        "x", queue, Duration.ofSeconds(1));
    String second = parts.deadLetters.store(
        new RecordingStreams.Kept(other, "ns_queue_reports", 1, 5), "x", queue,
        Duration.ofSeconds(1));
    assertThat(first).isNotEqualTo(second);
    assertThat(streams.stored).extracting(RecordingStreams.Store::messageId)
        .containsExactly("ns_queue_jobs/task-7", "ns_queue_reports/task-7");
  }

  @Test
  void aFailedStoreIsThrownAndCountedForTheBusAndTheQueue() {
    streams.failStores(new TransportException("store unreachable", null, true));
    assertThatThrownBy(() -> parts.deadLetters.store(
        new RecordingStreams.Kept(item, "ns_queue_jobs", 1, 5), "x", queue,
        Duration.ofSeconds(1)))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TransportException.class);
    assertThat(parts.metrics.deadLetterFailures.sum()).isEqualTo(1);
    assertThat(queue.deadLetterFailures.sum()).isEqualTo(1);
    assertThat(parts.metrics.deadLettered.sum()).isZero();
    assertThat(queue.deadLettered.sum()).isZero();
  }

  @Test
  void aDeadLetterOfADeadLetterIsNeverPublished() {
    TransportMessage letter = new TransportMessage("ns.deadletter", null,
        Headers.of(Headers.ERROR, "first"), new byte[] {'{', '}'});
    parts.deadLetters.publish(letter, "second");
    assertThat(transport.published).isEmpty();
    assertThat(parts.metrics.deadLetterFailures.sum()).isEqualTo(1);
  }
}
