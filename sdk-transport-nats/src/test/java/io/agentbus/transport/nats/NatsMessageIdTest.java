package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Headers;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The neutral {@link Headers#MESSAGE_ID} is JetStream's {@code Nats-Msg-Id} on the wire, both
 * ways: a plain jnats connection (as the seed's Python agents use) plays the other side.
 */
class NatsMessageIdTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String WIRE = "Nats-Msg-Id";

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private NatsTransport transport;
  private Connection plain;

  @BeforeEach
  void connect() throws Exception {
    transport = NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("message-id").build());
    plain = Nats.connect(nats.url());
  }

  @AfterEach
  void close() throws Exception {
    transport.close();
    plain.close();
  }

  @Test
  void aPublishedMessageIdTravelsAsNatsMsgId() throws Exception {
    Subscription sub = plain.subscribe("ids.core.out");
    plain.flush(WAIT);

    transport.publish("ids.core.out", null,
        Headers.builder().add(Headers.MESSAGE_ID, "m-1").add("Other", "x").build(), bytes("a"));

    Message m = sub.nextMessage(WAIT);
    assertThat(m).isNotNull();
    assertThat(m.getHeaders().getFirst(WIRE)).isEqualTo("m-1");
    assertThat(m.getHeaders().containsKey(Headers.MESSAGE_ID)).isFalse();
    assertThat(m.getHeaders().getFirst("Other")).isEqualTo("x");
  }

  @Test
  void aReceivedNatsMsgIdArrivesAsTheMessageId() throws Exception {
    BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
    transport.subscribe("ids.core.in", null, got::add);
    transport.flush(WAIT);

    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers().add(WIRE, "py-7");
    plain.publish("ids.core.in", h, bytes("b"));

    TransportMessage m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).isNotNull();
    assertThat(m.headers().first(Headers.MESSAGE_ID)).isEqualTo("py-7");
    assertThat(m.headers().contains(WIRE)).isFalse();
  }

  @Test
  void jetStreamStoresAndDeduplicatesOnTheIdAndGivesItBackEveryWay() throws Exception {
    DurableStreams streams = transport.durableStreams().orElseThrow();
    streams.declare(new StreamSpec("IDS", List.of("ids.js.>"), StreamSpec.Retention.LIMITS,
        Duration.ZERO, -1, Duration.ofMinutes(2), 1));

    // from AgentBus: the store sees Nats-Msg-Id and de-duplicates on it
    StoreAck first = streams.publish("ids.js.a", Headers.empty(), bytes("1"), "bus-1", WAIT)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    StoreAck again = streams.publish("ids.js.a", Headers.empty(), bytes("1"), "bus-1", WAIT)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(again.duplicate()).isTrue();
    JetStreamManagement jsm = plain.jetStreamManagement();
    MessageInfo stored = jsm.getMessage("IDS", first.sequence());
    assertThat(stored.getHeaders().getFirst(WIRE)).isEqualTo("bus-1");
    assertThat(stored.getHeaders().containsKey(Headers.MESSAGE_ID)).isFalse();

    // from a plain client: its Nats-Msg-Id reaches the bus as the message id
    PublishAck python = plain.jetStream().publish(NatsMessage.builder().subject("ids.js.b")
        .headers(new io.nats.client.impl.Headers().add(WIRE, "py-1")).data(bytes("2")).build());
    assertThat(python.isDuplicate()).isFalse();

    BlockingQueue<StoredMessage> consumed = new LinkedBlockingQueue<>();
    var worker = streams.consume(new ConsumerSpec("IDS", "ids-worker", "ids.js.b",
        Duration.ofSeconds(30), 10), m -> {
          m.ack();
          consumed.add(m);
        });
    try {
      StoredMessage m = consumed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).isNotNull();
      assertThat(m.message().headers().first(Headers.MESSAGE_ID)).isEqualTo("py-1");
    } finally {
      worker.unsubscribe();
    }

    BlockingQueue<StoredMessage> replayed = new LinkedBlockingQueue<>();
    long n = streams.replay(new ReplaySpec("IDS", "ids.js.>", null, 1), replayed::add)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(n).isEqualTo(2);
    assertThat(replayed).extracting(m -> m.message().headers().first(Headers.MESSAGE_ID))
        .containsExactly("bus-1", "py-1");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
