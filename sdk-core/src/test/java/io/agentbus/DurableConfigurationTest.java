package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurableConfigurationTest {

  @Test
  void durabilityOnATransportWithoutStreamsFailsAtBuildNamingWhatWasConfigured() {
    assertThatThrownBy(() -> MessageBus.builder().transport(RecordingTransport.coreOnly())
        .codec(FakeCodec.json())
        .queue("tests", QueueOptions.durable().build())
        .keepBroadcasts(HistoryOptions.keepFor(Duration.ofHours(1)).build())
        .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("durable queue 'tests'")
        .hasMessageContaining("keepBroadcasts")
        .hasMessageContaining("core-only");
  }

  @Test
  void atMostOnceIsTheDefaultAndNeedsNoStreams() {
    MessageBus bus = MessageBus.builder().transport(RecordingTransport.coreOnly())
        .codec(FakeCodec.json()).build();
    assertThat(bus.queueOptions("anything").isDurable()).isFalse();
    assertThat(bus.queueStats("anything").published()).isZero();
    assertThatThrownBy(() -> bus.replay("orchestrator.broadcast.>", ReplayStart.beginning(),
        d -> { }))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("keeps nothing").hasMessageContaining("keepBroadcasts");
    bus.close();
  }
}
