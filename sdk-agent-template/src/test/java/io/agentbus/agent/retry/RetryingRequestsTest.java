package io.agentbus.agent.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.RetryStats;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retry and fallback, in virtual time on the in-memory transport. */
@ExtendWith(VirtualTimeExtension.class)
class RetryingRequestsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, Object> TASK_MODEL = Map.of("resource", "task_model");

  private VirtualScheduler time;
  private MessageBus bus;
  private RetryingRequests requests;
  private final CountDownLatch never = new CountDownLatch(1);

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    bus = MessageBus.builder().transport(InMemoryTransport.builder().scheduler(time).build())
        .codec(JsonCodec.create()).scheduler(time).build();
    requests = RetryingRequests.builder(bus).build();
  }

  @AfterEach
  void tearDown() {
    never.countDown();
    bus.close();
  }

  private AgentMessage question() {
    return AgentMessage.builder().fromAgent("parser-dev-001").toAgent("architect-001")
        .messageType(MessageType.RESOURCE_REQUEST).content(TASK_MODEL)
        .timestamp(time.now()).correlationId("parser-dev-001-1-1").build();
  }

  private void architect(io.agentbus.MessageHandler handler) {
    bus.subscribe(bus.subjects().direct("architect-001", MessageType.RESOURCE_REQUEST), handler);
  }

  @Test
  void noRespondersIsRetriedWithBackoffUntilTheAgentIsThere() throws Exception {
    CompletableFuture<AgentMessage> f = requests.request(question(), Duration.ofSeconds(1));
    await(() -> requests.stats().retries() == 1);
    time.advance(Duration.ofMillis(200)); // attempt 2: still nobody; next in 400 ms
    await(() -> requests.stats().retries() == 2);
    architect(d -> d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready")));
    time.advance(Duration.ofMillis(399));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));
    AgentMessage reply = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reply.content()).isEqualTo(Map.of("status", "ready"));
    assertThat(reply.correlationId()).isEqualTo("parser-dev-001-1-1");
    assertThat(requests.stats()).isEqualTo(new RetryingRequests.Stats(1, 2, 0, 0));
    // the bus counts the retries it sent: attempts 2 and 3, the third answered
    assertThat(bus.stats().retries()).isEqualTo(new RetryStats(2, 1, 0, 0, 0, 0));
  }

  @Test
  void timeoutsAreRetriedThenTheFallbackAnswers() throws Exception {
    architect(d -> never.await());
    CompletableFuture<AgentMessage> f = requests.request(question(), Duration.ofSeconds(1),
        RetryPolicy.DEFAULTS, error -> question().toBuilder().fromAgent("cache")
            .content(Map.of("from", "cache", "why", error.getClass().getSimpleName())).build());
    time.awaitPendingTasks(1, WAIT);
    time.advance(Duration.ofSeconds(1)); // attempt 1 times out
    await(() -> requests.stats().retries() == 1);
    time.advance(Duration.ofMillis(200));
    time.awaitPendingTasks(1, WAIT);
    time.advance(Duration.ofSeconds(1)); // attempt 2 times out
    await(() -> requests.stats().retries() == 2);
    time.advance(Duration.ofMillis(400));
    time.awaitPendingTasks(1, WAIT);
    assertThat(f).isNotDone();
    time.advance(Duration.ofSeconds(1)); // attempt 3 times out: the fallback answers
    AgentMessage reply = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reply.content()).isEqualTo(Map.of("from", "cache",
        "why", "RequestTimeoutException"));
    assertThat(requests.stats()).isEqualTo(new RetryingRequests.Stats(1, 2, 1, 0));
    assertThat(bus.stats().retries()).isEqualTo(new RetryStats(2, 0, 1, 0, 1, 0));
  }

  @Test
  void aRespondersErrorIsNotRetriedUnlessAsked() throws Exception {
    architect(d -> {
      throw new IllegalStateException("no resource named task_model");
    });
    CompletableFuture<AgentMessage> once = requests.request(question(), Duration.ofSeconds(1));
    assertThatThrownBy(() -> once.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(RemoteHandlerException.class);
    assertThat(requests.stats().retries()).isZero();

    CompletableFuture<AgentMessage> retried = requests.request(question(), Duration.ofSeconds(1),
        RetryPolicy.builder().maxAttempts(2).retryOnRemoteError(true).build(), null);
    await(() -> requests.stats().retries() == 1);
    time.advance(Duration.ofMillis(200));
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> retried.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    assertThat(e.getCause()).isInstanceOf(RemoteHandlerException.class);
    assertThat(e.getCause().getSuppressed()).hasSize(1);
    assertThat(requests.stats()).isEqualTo(new RetryingRequests.Stats(2, 1, 0, 2));
    // both ended on a responder's error: the first without a retry, the second after one
    assertThat(bus.stats().retries()).isEqualTo(new RetryStats(1, 0, 0, 0, 0, 2));
  }

  @Test
  void theOverallDeadlineCutsTheAttemptsTimeoutAndEndsTheRetries() throws Exception {
    architect(d -> never.await());
    CompletableFuture<AgentMessage> f = requests.request(question(), Duration.ofSeconds(10),
        RetryPolicy.builder().maxAttempts(5).overallDeadline(Duration.ofSeconds(3)).build(),
        null);
    time.awaitPendingTasks(1, WAIT);
    time.advance(Duration.ofMillis(2999));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1)); // the first attempt's timeout was cut to 3 s
    assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(requests.stats().retries()).isZero();
    assertThat(bus.stats().retries()).isEqualTo(new RetryStats(0, 0, 0, 0, 1, 0));
  }

  @Test
  void noRespondersToTheLastAttemptIsCountedAsSuchWithItsFallback() throws Exception {
    CompletableFuture<AgentMessage> f = requests.request(question(), Duration.ofSeconds(1),
        RetryPolicy.builder().maxAttempts(2).build(),
        error -> question().toBuilder().content(Map.of("from", "cache")).build());
    await(() -> requests.stats().retries() == 1);
    time.advance(Duration.ofMillis(200)); // attempt 2: still nobody
    assertThat(f.get(WAIT.toSeconds(), TimeUnit.SECONDS).content())
        .isEqualTo(Map.of("from", "cache"));
    RetryStats counted = bus.stats().retries();
    assertThat(counted).isEqualTo(new RetryStats(1, 0, 1, 1, 0, 0));
    assertThat(counted.gaveUp()).isEqualTo(1);
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> requests.request(question().toBuilder().toAgent(null).build(),
        Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a to_agent");
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .hasMessageContaining("maxAttempts must be at least 1, was 0");
    assertThat(RetryPolicy.DEFAULTS.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(RetryPolicy.DEFAULTS.backoff(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(RetryPolicy.builder().maxBackoff(Duration.ofMillis(300)).build().backoff(3))
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aRetriedRequestRefusesStepsOutOfOrder() {
    io.agentbus.RetriedRequest r = bus.retriedRequest(
        bus.subjects().direct("architect-001", MessageType.RESOURCE_REQUEST), question());
    assertThatThrownBy(() -> r.attempt(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt must be 1 or more, was 0");
    r.gaveUp(0, new RequestTimeoutException(r.subject(), Duration.ZERO), false);
    assertThatThrownBy(() -> r.attempt(1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");
    assertThatThrownBy(() -> r.gaveUp(1, new IllegalStateException("again"), true))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");
    assertThat(bus.stats().retries()).isEqualTo(new RetryStats(0, 0, 0, 0, 1, 0));
  }

  private static void await(BooleanSupplier condition) throws Exception {
    Conditions.await(condition, WAIT, "the condition this test waits for");
  }
}
