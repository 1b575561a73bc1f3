package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.Codec;
import io.agentbus.spi.ConnectionListener;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class DurableConfigurationTest {

  @Test
  void durabilityOnATransportWithoutStreamsFailsAtBuildNamingWhatWasConfigured() {
    assertThatThrownBy(() -> MessageBus.builder().transport(new CoreOnly()).codec(new NoCodec())
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
    MessageBus bus = MessageBus.builder().transport(new CoreOnly()).codec(new NoCodec()).build();
    assertThat(bus.queueOptions("anything").isDurable()).isFalse();
    assertThat(bus.queueStats("anything").published()).isZero();
    assertThatThrownBy(() -> bus.replay("orchestrator.broadcast.>", ReplayStart.beginning(),
        d -> { }))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("keeps nothing").hasMessageContaining("keepBroadcasts");
    bus.close();
  }

  /** A transport with core semantics only; nothing here is expected to be called. */
  private static final class CoreOnly implements Transport {
    @Override
    public void publish(String subject, @Nullable String replyTo, Headers headers,
        byte[] payload) {
      throw new UnsupportedOperationException();
    }

    @Override
    public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
        TransportHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<TransportMessage> request(String subject, Headers headers,
        byte[] payload, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void flush(Duration timeout) {}

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}

    @Override
    public long maxPayload() {
      return 1 << 20;
    }

    @Override
    public void addConnectionListener(ConnectionListener listener) {}

    @Override
    public TransportStats stats() {
      return new TransportStats(0, 0, 0, 0, 0, 0);
    }

    @Override
    public String toString() {
      return "core-only";
    }
  }

  private static final class NoCodec implements Codec {
    @Override
    public String contentType() {
      return "application/x-none";
    }

    @Override
    public byte[] encode(AgentMessage message) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AgentMessage decode(byte[] bytes) {
      throw new UnsupportedOperationException();
    }
  }
}
