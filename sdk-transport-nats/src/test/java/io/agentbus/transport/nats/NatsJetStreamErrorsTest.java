package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.StreamSpec;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JetStream's limits and refusals, recognised by error code and status against a real server,
 * and translated into AgentBus errors that say what to do.
 */
class NatsJetStreamErrorsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private NatsTransport transport;
  private DurableStreams streams;

  @BeforeEach
  void connect() {
    transport = NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("jetstream-errors").build());
    streams = transport.durableStreams().orElseThrow();
  }

  @AfterEach
  void close() {
    transport.close();
  }

  private static StreamSpec stream(String name, String subject, int replicas) {
    return new StreamSpec(name, List.of(subject), StreamSpec.Retention.WORK_QUEUE,
        Duration.ZERO, -1, Duration.ofMinutes(2), replicas);
  }

  @Test
  void moreThanFiveReplicasIsRefusedNamingTheStreamTheValueAndTheLimit() {
    assertThatThrownBy(() -> streams.declare(stream("TOO_MANY", "limits.many", 6)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'TOO_MANY'").hasMessageContaining("6 replicas")
        .hasMessageContaining("at most 5");
    // five passes the check and reaches the server, which (not clustered) has its own say
    assertThatThrownBy(() -> streams.declare(stream("FIVE", "limits.five", 5)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("the server refused").hasMessageNotContaining("at most 5");
  }

  @Test
  void overlappingSubjectsAreAConfigurationError() {
    streams.declare(stream("FIRST", "overlap.>", 1));
    assertThatThrownBy(() -> streams.declare(stream("SECOND", "overlap.x", 1)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("overlap those of another stream");
  }

  @Test
  void aStorePublishNoStreamCapturesIsARetriableNoStreamError() {
    assertThatThrownBy(() -> streams.publish("nobody.keeps.this", Headers.empty(), new byte[1],
        "id-1", WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(TransportException.class,
            e -> assertThat(e.isRetriable()).isTrue())
        .hasMessageContaining("No stream answered for item id-1");
  }

  @Test
  void aServerWithoutJetStreamSaysSo() {
    NatsServer plain = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(plain.url())
        .jetStreamApiTimeout(Duration.ofSeconds(2)).build());
    try {
      assertThatThrownBy(() -> t.durableStreams().orElseThrow()
          .declare(stream("NO_JS", "nojs.x", 1)))
          .isInstanceOf(TransportException.class).hasMessageContaining("-js");
    } finally {
      t.close();
    }
  }

  @Test
  void aPublishRefusedWhileDisconnectedIsRecognisedByState() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
        .reconnectBufferSize(0).reconnectWait(Duration.ofMillis(20)).build());
    try {
      java.util.concurrent.CountDownLatch down = new java.util.concurrent.CountDownLatch(1);
      t.addConnectionListener(e -> {
        if (e.kind() == io.agentbus.spi.ConnectionEvent.Kind.DISCONNECTED) {
          down.countDown();
        }
      });
      server.stop();
      assertThat(down.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThatThrownBy(() -> t.publish("while.down", null, Headers.empty(), new byte[1]))
          .isInstanceOfSatisfying(TransportException.class,
              e -> assertThat(e.isRetriable()).isTrue())
          .hasMessageContaining("reconnect buffer is full");
      t.close();
      assertThatThrownBy(() -> t.publish("after.close", null, Headers.empty(), new byte[1]))
          .isInstanceOfSatisfying(TransportException.class,
              e -> assertThat(e.isRetriable()).isFalse())
          .hasMessageContaining("closed");
    } finally {
      t.close();
    }
  }
}
