package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionEvent.Kind;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server goes away under a connected transport and comes back on the same port. */
class NatsReconnectTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final List<NatsTransport> transports = new ArrayList<>();
  private final BlockingQueue<ConnectionEvent> events = new LinkedBlockingQueue<>();
  private final List<ConnectionEvent> history = Collections.synchronizedList(new ArrayList<>());

  private NatsTransport connect(NatsServer server, NatsTransportConfig.Builder config) {
    NatsTransport t = NatsTransport.connect(config.servers(server.url())
        .reconnectWait(Duration.ofMillis(50)).build());
    t.addConnectionListener(e -> {
      history.add(e);
      events.add(e);
    });
    transports.add(t);
    return t;
  }

  @AfterEach
  void close() {
    transports.forEach(NatsTransport::close);
  }

  private ConnectionEvent awaitEvent(Kind kind) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      ConnectionEvent e = events.poll(100, TimeUnit.MILLISECONDS);
      if (e != null && e.kind() == kind) {
        return e;
      }
    }
    throw new AssertionError("no " + kind + " event within " + WAIT);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void subscriptionsAndQueueMembersSurviveARestartAndBufferedPublishesArrive() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport t = connect(server, NatsTransportConfig.builder().reconnectBufferSize(4096));
    List<String> stream = Collections.synchronizedList(new ArrayList<>());
    BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    t.subscribe("stream.data", null, m -> {
      stream.add(text(m.payload()));
      arrivals.add(text(m.payload()));
    });
    Map<String, AtomicInteger> work = new ConcurrentHashMap<>();
    AtomicInteger workDone = new AtomicInteger();
    for (int member = 0; member < 2; member++) {
      t.subscribe("stream.work", "workers", m -> {
        work.computeIfAbsent(text(m.payload()), k -> new AtomicInteger()).incrementAndGet();
        workDone.incrementAndGet();
      });
    }
    for (int i = 0; i < 10; i++) {
      t.publish("stream.data", null, Headers.empty(), bytes("before-" + i));
    }
    for (int i = 0; i < 10; i++) {
      assertThat(arrivals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    }

    server.stop();
    assertThat(awaitEvent(Kind.DISCONNECTED).detail()).contains("disconnected");
    assertThat(t.isConnected()).isFalse();
    assertThat(t.connectedServer()).isNull();

    // buffered while the server is away
    for (int i = 0; i < 5; i++) {
      t.publish("stream.data", null, Headers.empty(), bytes("during-" + i));
    }
    // until the reconnect buffer is full: then a clear, retriable error, never a hang
    int accepted = 0;
    TransportException refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      try {
        t.publish("stream.data", null, Headers.empty(), new byte[500]);
        accepted++;
      } catch (TransportException e) {
        refused = e;
      }
    }
    assertThat(refused).as("a publish past the reconnect buffer fails").isNotNull();
    assertThat(refused.isRetriable()).isTrue();
    assertThat(refused).hasMessageContaining("reconnect buffer")
        .hasMessageContaining("agentbus.nats.reconnect-buffer-size")
        .hasMessageContaining("stream.data");
    assertThat(accepted).isBetween(1, 8);
    assertThat(t.stats().dropped()).isEqualTo(1);
    assertThat(stream).hasSize(10);

    server.start();
    awaitEvent(Kind.RECONNECTED);
    await().atMost(WAIT).until(t::isConnected);

    // everything buffered arrives, in order, after what came before
    int expected = 10 + 5 + accepted;
    String outage = (5 + accepted) + " accepted during the outage, then refused: "
        + refused.getMessage();
    // on a timeout, say what did arrive: a flake here once left no trace of which it was
    await().atMost(WAIT).untilAsserted(() -> assertThat(stream).as(outage).hasSize(expected));
    for (int i = 0; i < 5; i++) {
      assertThat(stream.get(10 + i)).isEqualTo("during-" + i);
    }
    // the subscriptions and the queue group are back without any call
    for (int i = 0; i < 20; i++) {
      t.publish("stream.work", null, Headers.empty(), bytes("item-" + i));
      t.publish("stream.data", null, Headers.empty(), bytes("after-" + i));
    }
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(workDone).as("work items handled").hasValue(20);
      assertThat(stream).as("stream after the restart").hasSize(expected + 20);
    });
    assertThat(work).hasSize(20).allSatisfy((k, v) -> assertThat(v).hasValue(1));
    assertThat(stream.get(stream.size() - 1)).isEqualTo("after-19");
    assertThat(t.stats().reconnects()).isEqualTo(1);
    assertThat(t.stats().dropped()).isEqualTo(1);
    // one DISCONNECTED for the outage, however many reconnect attempts it took
    assertThat(history).filteredOn(e -> e.kind() == Kind.DISCONNECTED).hasSize(1);
    assertThat(history).filteredOn(e -> e.kind() == Kind.RESUBSCRIBED).hasSize(1);
  }

  @Test
  void anotherProcessSeesTheResubscriptionAfterARestart() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport subscriber = connect(server, NatsTransportConfig.builder());
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    subscriber.subscribe("orchestrator.agent.a.*", null, m -> got.add(text(m.payload())));
    subscriber.flush(WAIT);

    server.restart();
    awaitEvent(Kind.RESUBSCRIBED);
    NatsTransport publisher = connect(server, NatsTransportConfig.builder());
    publisher.publish("orchestrator.agent.a.question", null, Headers.empty(), bytes("q"));
    assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("q");
  }

  @Test
  void whenReconnectingGivesUpTheTransportClosesAndCountsWhatWasNotSent() throws Exception {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false).build());
    NatsTransport t = connect(server, NatsTransportConfig.builder().maxReconnects(2)
        .connectTimeout(Duration.ofMillis(200)));
    server.stop();
    awaitEvent(Kind.DISCONNECTED);
    t.publish("lost.cause", null, Headers.empty(), bytes("1"));
    t.publish("lost.cause", null, Headers.empty(), bytes("2"));
    assertThat(awaitEvent(Kind.CLOSED).detail()).contains("reconnecting failed");
    assertThatThrownBy(() -> t.publish("lost.cause", null, Headers.empty(), bytes("3")))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("closed after reconnecting failed")
        .matches(e -> !((TransportException) e).isRetriable());
    assertThat(t.stats().dropped()).isEqualTo(2);
    t.close();
    assertThat(t.stats().dropped()).isEqualTo(2);
    assertThat(history).filteredOn(e -> e.kind() == Kind.CLOSED).hasSize(1);
  }
}
