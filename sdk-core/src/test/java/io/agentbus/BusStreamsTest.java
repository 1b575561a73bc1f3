package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BusStreamsTest {
  private static final Subjects NS = Subjects.of("ns");
  private final RecordingStreams streams = new RecordingStreams();

  @Test
  void streamNamesAreDerivedFromTheNamespaceAndMadeSafe() {
    assertThat(BusStreams.streamName("orchestrator", "queue_tests"))
        .isEqualTo("orchestrator_queue_tests");
    assertThat(BusStreams.streamName("acme.prod", "queue_a/b"))
        .isEqualTo("acme_prod_queue_a_b");
  }

  @Test
  void aStreamSubjectCoversThePatternsItCaptures() {
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.broadcast.task_complete")).isTrue();
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.broadcast.*")).isTrue();
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.broadcast.>")).isTrue();
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.broadcast")).isFalse();
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.>")).isFalse();
    assertThat(BusStreams.covers("ns.broadcast.>", "ns.*.x")).isFalse();
    assertThat(BusStreams.covers("ns.deadletter", "ns.deadletter")).isTrue();
    assertThat(BusStreams.covers("ns.deadletter", "ns.*")).isFalse();
    assertThat(BusStreams.covers("ns.*.x", "ns.a.x")).isTrue();
    assertThat(BusStreams.covers("ns.*.x", "ns.a.x.y")).isFalse();
  }

  @Test
  void declaringKeepsBroadcastsAndDeadLettersInTheirOwnStreams() {
    BusStreams b = new BusStreams(streams, NS, HistoryOptions.keepFor(Duration.ofHours(1))
        .maxMessages(100).build(), null, 3);
    b.declare();
    assertThat(streams.declared).containsExactly(
        new StreamSpec("ns_broadcasts", List.of("ns.broadcast.>"), StreamSpec.Retention.LIMITS,
            Duration.ofHours(1), 100, Duration.ofMinutes(2), 1),
        new StreamSpec("ns_deadletter", List.of("ns.deadletter"), StreamSpec.Retention.LIMITS,
            BusStreams.DEFAULT_DEAD_LETTER_AGE, -1, Duration.ofMinutes(2), 3));
  }

  @Test
  void aConfiguredStreamNameIsUsedAndNothingIsDeclaredWhenNothingIsKept() {
    new BusStreams(streams, NS, null, null, 0).declare();
    assertThat(streams.declared).isEmpty();
    new BusStreams(streams, NS, null,
        HistoryOptions.keepFor(Duration.ofDays(2)).streamName("DLQ").build(), 0).declare();
    assertThat(streams.declared).extracting(StreamSpec::name).containsExactly("DLQ");
  }

  @Test
  void aDeadLetterStreamWhoseDeclarationFailedIsDeclaredOnFirstUseOnce() throws Exception {
    BusStreams b = new BusStreams(streams, NS, null, null, 1);
    streams.failNextDeclare(new TransportException("JetStream not enabled"));
    assertThatThrownBy(b::declare).isInstanceOf(TransportException.class);
    assertThat(streams.declared).isEmpty();

    b.storeDeadLetter("ns.deadletter", Headers.empty(), new byte[0], "id-1",
        Duration.ofSeconds(1));
    b.storeDeadLetter("ns.deadletter", Headers.empty(), new byte[0], "id-2",
        Duration.ofSeconds(1));
    assertThat(streams.declared).extracting(StreamSpec::name).containsExactly("ns_deadletter");
    assertThat(streams.stored).extracting(RecordingStreams.Store::messageId)
        .containsExactly("id-1", "id-2");
  }

  @Test
  void replayOfAPatternNoKeptHistoryCoversNamesWhatIsKept() {
    BusParts parts = BusParts.on(RecordingTransport.withStreams(streams))
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build())
        .keepDeadLetters(HistoryOptions.keepFor(Duration.ofHours(1)).build()).build();
    assertThatThrownBy(() -> parts.history.replay("ns.agent.>", ReplayStart.beginning(),
        d -> { }, parts.pipeline))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'ns.agent.>'")
        .hasMessageContaining("[ns.broadcast.>, ns.deadletter]");
    assertThatThrownBy(() -> parts.history.replay("ns.>", ReplayStart.beginning(),
        d -> { }, parts.pipeline))
        .isInstanceOf(ConfigurationException.class);
    assertThat(streams.replays).isEmpty();
  }

  @Test
  void replayHandsOverTheKeptMessagesAndCountsFailuresAndUndecodableOnes() {
    BusParts parts = BusParts.on(RecordingTransport.withStreams(streams))
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build()).build();
    FakeCodec json = FakeCodec.json();
    AgentMessage ok = FakeCodec.message("a", null, MessageType.TASK_COMPLETE, "ok");
    AgentMessage bad = FakeCodec.message("a", null, MessageType.TASK_COMPLETE, "bad");
    String subject = "ns.broadcast.task_complete";
    streams.keep(new RecordingStreams.Kept(new TransportMessage(subject, null, Headers.empty(),
        json.encode(ok)), "ns_broadcasts", 4, 1));
    streams.keep(new RecordingStreams.Kept(new TransportMessage(subject, null, Headers.empty(),
        new byte[] {0x01}), "ns_broadcasts", 5, 1));
    streams.keep(new RecordingStreams.Kept(new TransportMessage(subject, null, Headers.empty(),
        json.encode(bad)), "ns_broadcasts", 6, 1));
    List<Delivery> seen = new CopyOnWriteArrayList<>();

    ReplayResult r = parts.history.replay("ns.broadcast.*", ReplayStart.afterSequence(3), d -> {
      seen.add(d);
      if ("bad".equals(d.message().correlationId())) {
        throw new IllegalStateException("handler bug");
      }
    }, parts.pipeline).join();

    assertThat(streams.replays).containsExactly(
        new ReplaySpec("ns_broadcasts", "ns.broadcast.*", null, 4));
    assertThat(r).isEqualTo(new ReplayResult(2, 1, 1, 6));
    assertThat(seen).extracting(Delivery::sequence).containsExactly(4L, 6L);
    assertThat(seen.get(0).stream()).isEqualTo("ns_broadcasts");
    assertThat(seen.get(0).isRequest()).isFalse();
    assertThat(seen.get(0).message()).isEqualTo(ok);
  }
}
