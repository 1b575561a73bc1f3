package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.nats.NatsServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NatsRequestReplyTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private final List<NatsTransport> transports = new ArrayList<>();

  private NatsTransport connect() {
    NatsTransport t = NatsTransport.connect(NatsTransportConfig.builder().servers(nats.url())
        .connectionName("request-test").build());
    transports.add(t);
    return t;
  }

  @AfterEach
  void close() {
    transports.forEach(NatsTransport::close);
  }

  private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the future did not complete within " + WAIT, e);
    }
    throw new AssertionError("the future completed normally");
  }

  @Test
  void aReplyCompletesTheRequestWithItsHeaders() throws Exception {
    NatsTransport responder = connect();
    NatsTransport requester = connect();
    responder.subscribe("svc.echo", null, m -> responder.publish(m.replyTo(), null,
        Headers.of("Correlation-Id", m.headers().first("Correlation-Id")),
        ("echo:" + new String(m.payload(), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8)));
    responder.flush(WAIT);

    TransportMessage reply = requester.request("svc.echo", Headers.of("Correlation-Id", "c-1"),
        "hi".getBytes(StandardCharsets.UTF_8), WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(new String(reply.payload(), StandardCharsets.UTF_8)).isEqualTo("echo:hi");
    assertThat(reply.headers().first("Correlation-Id")).isEqualTo("c-1");
  }

  @Test
  void nobodySubscribedFailsAtOnceWithNoRespondersAndSilenceTimesOut() throws Exception {
    NatsTransport requester = connect();
    Duration long_ = Duration.ofSeconds(30);
    CompletableFuture<TransportMessage> nobody =
        requester.request("svc.nobody", Headers.empty(), new byte[0], long_);
    // fails long before the 30 s timeout: the future is complete within WAIT
    assertThat(failureOf(nobody)).isInstanceOf(NoRespondersException.class)
        .hasMessageContaining("svc.nobody");

    NatsTransport silent = connect();
    silent.subscribe("svc.silent", null, m -> { });
    silent.flush(WAIT);
    Throwable timeout = failureOf(requester.request("svc.silent", Headers.empty(), new byte[0],
        Duration.ofMillis(200)));
    assertThat(timeout).isInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("svc.silent").hasMessageContaining("200 ms");
    assertThat(((RequestTimeoutException) timeout).isRetriable()).isTrue();
  }

  @Test
  void futuresCompleteOffTheConnectionsThreads() throws Exception {
    NatsTransport responder = connect();
    NatsTransport requester = connect();
    responder.subscribe("svc.thread", null,
        m -> responder.publish(m.replyTo(), null, Headers.empty(), new byte[0]));
    responder.flush(WAIT);
    CompletableFuture<String> thread = new CompletableFuture<>();
    CompletableFuture<TransportMessage> f =
        requester.request("svc.thread", Headers.empty(), new byte[0], WAIT);
    f.whenComplete((r, e) -> thread.complete(Thread.currentThread().getName()));
    assertThat(thread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .satisfiesAnyOf(n -> assertThat(n).startsWith("agentbus-nats-reply-"),
            // completed before whenComplete was attached: then the test thread runs it
            n -> assertThat(n).isEqualTo(Thread.currentThread().getName()));
  }

  @Test
  void cancellingARequestReleasesIt() throws Exception {
    NatsTransport silent = connect();
    silent.subscribe("svc.cancel", null, m -> { });
    silent.flush(WAIT);
    NatsTransport requester = connect();
    CompletableFuture<TransportMessage> f =
        requester.request("svc.cancel", Headers.empty(), new byte[0], Duration.ofMinutes(1));
    assertThat(requester.openRequests()).isEqualTo(1);
    assertThat(requester.scheduledTimeouts()).isEqualTo(1);
    f.cancel(true);
    assertThat(requester.openRequests()).isZero();
    assertThat(requester.scheduledTimeouts()).isZero();
    await().atMost(WAIT).until(() -> requester.natsOutstandingRequests() == 0);
  }

  @Test
  void tenThousandTimedOutRequestsLeaveNothingBehind() throws Exception {
    NatsTransport silent = connect();
    CountDownLatch allArrived = new CountDownLatch(10_000);
    silent.subscribe("svc.blackhole", null, m -> allArrived.countDown());
    silent.flush(WAIT);
    NatsTransport requester = connect();
    Set<String> threadsBefore = transportThreads();

    List<CompletableFuture<TransportMessage>> futures = new ArrayList<>(10_000);
    for (int i = 0; i < 10_000; i++) {
      futures.add(requester.request("svc.blackhole", Headers.empty(), new byte[] {1},
          Duration.ofMillis(100)));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    for (CompletableFuture<TransportMessage> f : futures) {
      assertThat(failureOf(f)).isInstanceOf(RequestTimeoutException.class);
    }
    assertThat(allArrived.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    assertThat(requester.openRequests()).isZero();
    assertThat(requester.scheduledTimeouts()).isZero();
    // jnats forgets completed requests on its next cleanup pass (every second)
    await().atMost(WAIT).until(() -> requester.natsOutstandingRequests() == 0);
    // no thread per request: the transport's own pools stay bounded (the silent subscriber's
    // handler pool starts its threads, up to its base size, on the first messages)
    Set<String> grown = transportThreads();
    grown.removeAll(threadsBefore);
    assertThat(grown).allMatch(n -> n.contains("agentbus-nats-reply") || n.contains("timer")
        || n.contains("agentbus-nats-handler"));
    assertThat(grown).filteredOn(n -> !n.contains("agentbus-nats-handler"))
        .hasSizeLessThanOrEqualTo(5);
    assertThat(grown).filteredOn(n -> n.contains("agentbus-nats-handler"))
        .hasSizeLessThanOrEqualTo(HandlerPool.BASE + 1); // the pool and its watcher
    // and the connection still works
    requester.publish("svc.blackhole", null, Headers.empty(), new byte[0]);
    requester.flush(WAIT);
  }

  @Test
  void pendingRequestsFailWhenTheTransportCloses() throws Exception {
    NatsTransport silent = connect();
    silent.subscribe("svc.closing", null, m -> { });
    silent.flush(WAIT);
    NatsTransport requester = connect();
    CompletableFuture<TransportMessage> f =
        requester.request("svc.closing", Headers.empty(), new byte[0], Duration.ofMinutes(1));
    requester.close();
    assertThat(failureOf(f)).isInstanceOf(TransportException.class)
        .hasMessageContaining("closed");
    assertThat(requester.openRequests()).isZero();
  }

  @Test
  void anOptionsCustomizerReachesTheJnatsOptions() throws Exception {
    NatsTransport responder = connect();
    List<String> replySubjects = new java.util.concurrent.CopyOnWriteArrayList<>();
    responder.subscribe("svc.custom", null, m -> {
      replySubjects.add(String.valueOf(m.replyTo()));
      responder.publish(m.replyTo(), null, Headers.empty(), new byte[] {1});
    });
    responder.flush(WAIT);
    NatsTransport requester = NatsTransport.connect(NatsTransportConfig.builder()
        .servers(nats.url()).optionsCustomizer(o -> o.inboxPrefix("_CUSTOM_INBOX")).build());
    transports.add(requester);

    requester.requestAndWait("svc.custom", Headers.empty(), new byte[0], WAIT);

    assertThat(replySubjects).singleElement().asString().startsWith("_CUSTOM_INBOX.");
  }

  @Test
  void aNonPositiveTimeoutIsRejected() {
    NatsTransport t = connect();
    assertThatThrownBy(() -> t.request("x", Headers.empty(), new byte[0], Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
  }

  private static Set<String> transportThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.startsWith("agentbus-nats"))
        .collect(Collectors.toSet());
  }
}
