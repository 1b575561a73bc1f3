package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RequestReplyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final AgentMessage REQUEST =
      FakeCodec.message("a", "b", MessageType.RESOURCE_REQUEST, "c-1");
  private static final AgentMessage REPLY =
      FakeCodec.message("b", "a", MessageType.RESOURCE_RESPONSE, "c-1");
  private final RecordingTransport transport = RecordingTransport.coreOnly();
  private final FakeCodec text = FakeCodec.labelled("application/x-text");
  private final BusParts parts = BusParts.on(transport).codec(text, FakeCodec.json()).build();

  @Test
  void aRequestGoesOutWithItsHeadersAndTheReplyIsDecodedByItsContentType() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null,
        Headers.of(Headers.CONTENT_TYPE, "application/x-text"), text.encode(REPLY)));
    AgentMessage reply = parts.requests.request("ns.agent.b.resource_request", REQUEST, TIMEOUT);

    assertThat(reply).isEqualTo(REPLY);
    RecordingTransport.Sent sent = transport.requests.get(0);
    assertThat(sent.subject()).isEqualTo("ns.agent.b.resource_request");
    assertThat(sent.headers()).isEqualTo(Headers.of(Headers.CONTENT_TYPE, "application/x-text"));
    assertThat(text.decode(sent.payload())).isEqualTo(REQUEST);
    assertThat(parts.metrics.published.sum()).isEqualTo(1);
  }

  @Test
  void anErrorReplyIsARemoteHandlerExceptionNamingTheSubjectAndTheError() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null,
        Headers.builder().add(Headers.ERROR, "IllegalStateException: no such resource")
            .add(Headers.CORRELATION_ID, "c-1").build(), new byte[0]));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("'ns.agent.b.x'")
        .hasMessageContaining("IllegalStateException: no such resource");
    CompletableFuture<AgentMessage> async =
        parts.requests.requestAsync("ns.agent.b.x", REQUEST, TIMEOUT);
    assertThatThrownBy(async::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RemoteHandlerException.class);
  }

  @Test
  void aReplyWithAPayloadIsAReplyEvenWithAnErrorHeader() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null,
        Headers.builder().add(Headers.ERROR, "a header some peer set")
            .add(Headers.CONTENT_TYPE, "application/x-text").build(), text.encode(REPLY)));
    assertThat(parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT)).isEqualTo(REPLY);
  }

  /**
   * The first reply accepted is the answer, even if the transport checks a second one before it
   * has forgotten the request (a waiting thread may finish the first's completion while the
   * transport's thread goes on): the second is dropped, not taken, and not counted as refused.
   */
  @Test
  void theFirstAcceptedReplyIsTheAnswerAndALaterOneIsNeitherTakenNorRefused() {
    ReplyCheck check = new ReplyCheck("ns.agent.b.x", REQUEST, Headers.empty(), parts.pipeline);
    AgentMessage second = FakeCodec.message("b", "a", MessageType.ANSWER, "c-1");
    TransportMessage first = new TransportMessage("_INBOX.1", null, Headers.empty(),
        FakeCodec.json().encode(REPLY));

    assertThat(check.accept(first)).isTrue();
    assertThat(check.accept(new TransportMessage("_INBOX.1", null, Headers.empty(),
        FakeCodec.json().encode(second)))).isFalse();
    assertThat(check.accepted()).isNotNull();
    assertThat(check.accepted().message).isEqualTo(REPLY);
    assertThat(parts.metrics.repliesRefused.sum()).isZero();
  }

  @Test
  void anUndecodableReplyIsRefusedAndCounted() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null,
        Headers.of(Headers.CONTENT_TYPE, "application/xml"), new byte[] {'<', 'a', '/', '>'}));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(RequestTimeoutException.class);
    assertThat(parts.metrics.repliesRefused.sum()).isEqualTo(1);
  }

  @Test
  void anErrorReplyWithoutTheRequestsCorrelationIdIsRefused() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null,
        Headers.of(Headers.ERROR, "Forged: no"), new byte[0]));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(RequestTimeoutException.class);
    assertThat(parts.metrics.repliesRefused.sum()).isEqualTo(1);
  }

  @Test
  void aReplyFromAnotherAgentOrForAnotherRequestIsRefused() {
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null, Headers.empty(),
        FakeCodec.json().encode(FakeCodec.message("mallory", "a", MessageType.ANSWER, "c-1"))));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(RequestTimeoutException.class);
    transport.answerRequestsWith(new TransportMessage("_INBOX.1", null, Headers.empty(),
        FakeCodec.json().encode(FakeCodec.message("b", "a", MessageType.ANSWER, "c-2"))));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(RequestTimeoutException.class);
    assertThat(parts.metrics.repliesRefused.sum()).isEqualTo(2);
  }

  @Test
  void aRequestNobodyAnswersIsCountedAsPublishedAndItsErrorThrown() {
    transport.answerRequestsWith(
        CompletableFuture.failedFuture(new NoRespondersException("ns.agent.b.x")));
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(NoRespondersException.class);
    assertThat(parts.metrics.published.sum()).isEqualTo(1);
  }

  @Test
  void cancellingAnAsyncRequestReleasesTheTransportsRequest() {
    CompletableFuture<TransportMessage> pending = new CompletableFuture<>();
    transport.answerRequestsWith(pending);
    parts.requests.requestAsync("ns.agent.b.x", REQUEST, TIMEOUT).cancel(false);
    assertThat(pending).isCancelled();
  }

  @Test
  void aClosedBusSendsNoRequest() {
    parts.closed.set(true);
    assertThatThrownBy(() -> parts.requests.request("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> parts.requests.requestAsync("ns.agent.b.x", REQUEST, TIMEOUT))
        .isInstanceOf(IllegalStateException.class);
    assertThat(transport.requests).isEmpty();
  }
}
