package io.agentbus.opentelemetry;

import static io.agentbus.opentelemetry.Spans.assertChild;
import static io.agentbus.opentelemetry.Spans.one;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.agent.retry.RetryPolicy;
import io.agentbus.agent.retry.RetryingRequests;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A retried request in one trace: its attempts numbered, its retries and fallback as events. */
@ExtendWith(VirtualTimeExtension.class)
class RetryTracingTest {
  private static final String SUBJECT = "orchestrator.agent.architect-001.resource_request";
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("agentbus.retry.attempt");
  private static final AttributeKey<Long> ATTEMPTS =
      AttributeKey.longKey("agentbus.retry.attempts");

  private final Spans spans = new Spans();
  private VirtualScheduler time;
  private MessageBus bus;
  private RetryingRequests requests;

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    bus = MessageBus.builder().transport(InMemoryTransport.builder().scheduler(time).build())
        .scheduler(time).codec(JsonCodec.create())
        .addExtension(AgentBusTracing.builder(spans.sdk).messagingSystem("inmemory").build())
        .build();
    requests = RetryingRequests.builder(bus).build();
  }

  @AfterEach
  void tearDown() {
    bus.close();
  }

  private AgentMessage question() {
    return AgentMessage.builder().fromAgent("parser-dev-001").toAgent("architect-001")
        .messageType(MessageType.RESOURCE_REQUEST).content(Map.of()).timestamp(time.now())
        .build();
  }

  private void retryOnTheClock(long n) throws Exception {
    Conditions.await(() -> requests.stats().retries() == n, Duration.ofSeconds(30),
        "retry " + n + " on the clock");
  }

  @Test
  void everyAttemptIsAChildOfTheRetriedRequestWithItsNumber() throws Exception {
    Span caller = spans.tracer().spanBuilder("plan the parser").startSpan();
    CompletableFuture<AgentMessage> f;
    try (Scope ignored = caller.makeCurrent()) {
      f = requests.request(question(), Duration.ofSeconds(1));
    }
    retryOnTheClock(1);
    time.advance(Duration.ofMillis(200)); // attempt 2, from the scheduler's thread: nobody
    retryOnTheClock(2);
    bus.subscribeToAgentMessages("architect-001",
        d -> d.reply(MessageType.RESOURCE_RESPONSE, Map.of()));
    time.advance(Duration.ofMillis(400)); // attempt 3 is answered
    f.get(30, TimeUnit.SECONDS);
    caller.end();

    // the caller, the retried request, three attempts, the architect's process and reply
    List<SpanData> all = spans.await(7);
    SpanData retried = one(all, "retried request " + SUBJECT, SpanKind.INTERNAL);
    assertChild(retried, one(all, "plan the parser", SpanKind.INTERNAL));
    assertThat(retried.getAttributes().get(ATTEMPTS)).isEqualTo(3);
    assertThat(retried.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    for (long n = 1; n <= 3; n++) {
      long attempt = n;
      SpanData request = one(all, "request " + SUBJECT, SpanKind.CLIENT,
          s -> s.getAttributes().get(ATTEMPT) == attempt);
      assertChild(request, retried);
      assertThat(request.getStatus().getStatusCode())
          .isEqualTo(n < 3 ? StatusCode.ERROR : StatusCode.UNSET);
    }
    List<EventData> events = retried.getEvents();
    assertThat(events).extracting(EventData::getName)
        .containsExactly("agentbus.retry", "agentbus.retry");
    assertThat(events).extracting(e -> e.getAttributes().get(ATTEMPT)).containsExactly(1L, 2L);
    assertThat(events).extracting(e -> e.getAttributes()
        .get(AttributeKey.longKey("agentbus.retry.backoff_ms"))).containsExactly(200L, 400L);
    assertThat(events.get(0).getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(NoRespondersException.class.getName());
  }

  @Test
  void aFallbackIsAnEventAndAGiveUpWithoutOneAnError() throws Exception {
    CompletableFuture<AgentMessage> cached = requests.request(question(), Duration.ofSeconds(1),
        RetryPolicy.none(), error -> question());
    cached.get(30, TimeUnit.SECONDS);
    SpanData fellBack = one(spans.await(2), "retried request " + SUBJECT, SpanKind.INTERNAL);
    assertThat(fellBack.getEvents()).extracting(EventData::getName)
        .containsExactly("agentbus.fallback");
    assertThat(fellBack.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(fellBack.getAttributes().get(ATTEMPTS)).isEqualTo(1);

    CompletableFuture<AgentMessage> failed = requests.request(question(), Duration.ofSeconds(1),
        RetryPolicy.none(), null);
    assertThat(failed).failsWithin(Duration.ofSeconds(30));
    List<SpanData> all = spans.await(2); // four in all: each request and its one attempt
    assertThat(all).hasSize(4);
    SpanData gaveUp = one(all, "retried request " + SUBJECT, SpanKind.INTERNAL,
        s -> s.getStatus().getStatusCode() == StatusCode.ERROR);
    assertThat(gaveUp.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(NoRespondersException.class.getName());
    assertThat(gaveUp.getEvents()).extracting(EventData::getName).containsExactly("exception");
  }
}
