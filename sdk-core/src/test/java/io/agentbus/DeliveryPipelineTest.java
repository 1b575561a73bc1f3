package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.ReceivedMessage;
import io.agentbus.spi.TransportMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class DeliveryPipelineTest {
  private static final AgentMessage MESSAGE =
      FakeCodec.message("a", "b", MessageType.RESOURCE_REQUEST, "c-1");
  private final RecordingTransport transport = RecordingTransport.coreOnly();
  private final FakeCodec json = FakeCodec.json();

  private TransportMessage request(String subject, Headers headers) {
    return new TransportMessage(subject, "_INBOX.r1", headers, json.encode(MESSAGE));
  }

  private static MessageInterceptor around(String name, List<String> calls) {
    return new MessageInterceptor() {
      @Override
      public void aroundDelivery(Delivery delivery, Chain next) throws Exception {
        calls.add(name + " before");
        next.proceed(delivery);
        calls.add(name + " after");
      }
    };
  }

  @Test
  void interceptorsNestFirstRegisteredOutermostAroundTheHandler() {
    List<String> calls = new CopyOnWriteArrayList<>();
    BusParts parts = BusParts.on(transport).interceptor(around("outer", calls))
        .interceptor(around("inner", calls)).build();
    parts.pipeline.dispatch(request("ns.agent.b.resource_request", Headers.empty()), d -> {
      calls.add("handler " + d.message().correlationId() + " " + d.replyTo());
      assertThat(d.codec()).isSameAs(parts.codecs.primary());
    });
    assertThat(calls).containsExactly("outer before", "inner before", "handler c-1 _INBOX.r1",
        "inner after", "outer after");
    assertThat(parts.metrics.snapshot()).isEqualTo(new BusStats(0, 1, 1, 0, 0, 0, 0));
    assertThat(transport.published).isEmpty();
  }

  @Test
  void beforeDecodeSeesOneReceiverNamePerSubscription() {
    List<String> receivers = new CopyOnWriteArrayList<>();
    BusParts parts = BusParts.on(transport).interceptor(new MessageInterceptor() {
      @Override
      public @Nullable String beforeDecode(ReceivedMessage m) {
        receivers.add(String.valueOf(m.receiver()));
        return null;
      }
    }).build();
    MessageHandler first = d -> {};
    MessageHandler second = d -> {};
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), first);
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), first);
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), second);
    assertThat(receivers).hasSize(3).doesNotContain("null");
    assertThat(receivers.get(1)).isEqualTo(receivers.get(0));
    assertThat(receivers.get(2)).isNotEqualTo(receivers.get(0));
  }

  @Test
  void anInterceptorThatDoesNotProceedKeepsTheMessageFromTheHandler() {
    List<String> calls = new CopyOnWriteArrayList<>();
    BusParts parts = BusParts.on(transport).interceptor(new MessageInterceptor() {
      @Override
      public void aroundDelivery(Delivery delivery, Chain next) {
        calls.add("rejected");
      }
    }).build();
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), d -> calls.add("handler"));
    assertThat(calls).containsExactly("rejected");
  }

  @Test
  void aFailingHandlerIsCountedDeadLetteredWithBothHeadersAndTheRequesterToldAtOnce() {
    BusParts parts = BusParts.on(transport).build();
    Headers traced = Headers.of("traceparent", "00-1-2-01");
    TransportMessage raw = request("ns.agent.b.resource_request", traced);
    parts.pipeline.dispatch(raw, d -> {
      throw new IllegalStateException("no such\nresource");
    });

    RecordingTransport.Sent letter = transport.publishedTo("ns.deadletter").get(0);
    assertThat(letter.headers().first(Headers.ERROR))
        .isEqualTo("handler failed: IllegalStateException: no such resource");
    assertThat(letter.headers().first(Headers.ORIGINAL_SUBJECT))
        .isEqualTo("ns.agent.b.resource_request");
    assertThat(letter.headers().first("traceparent")).isEqualTo("00-1-2-01");
    assertThat(letter.payload()).isEqualTo(raw.payload());
    assertThat(letter.replyTo()).isNull();

    RecordingTransport.Sent reply = transport.publishedTo("_INBOX.r1").get(0);
    assertThat(reply.headers()).isEqualTo(Headers.builder()
        .add(Headers.ERROR, "IllegalStateException: no such resource")
        .add(Headers.CORRELATION_ID, "c-1").build());
    assertThat(reply.payload()).isEmpty();
    assertThat(parts.metrics.snapshot()).isEqualTo(new BusStats(2, 1, 0, 1, 0, 1, 0));
  }

  @Test
  void anUndecodableMessageIsCountedDeadLetteredAndTheRequesterToldAtOnce() {
    BusParts parts = BusParts.on(transport).build();
    TransportMessage raw = new TransportMessage("ns.agent.b.question", "_INBOX.r2",
        Headers.empty(), new byte[] {0x08, 0x01});
    List<Delivery> handled = new CopyOnWriteArrayList<>();
    parts.pipeline.dispatch(raw, handled::add);

    assertThat(handled).isEmpty();
    RecordingTransport.Sent letter = transport.publishedTo("ns.deadletter").get(0);
    assertThat(letter.headers().first(Headers.ERROR)).startsWith("decode failed: ")
        .contains("binary");
    assertThat(letter.headers().first(Headers.ORIGINAL_SUBJECT)).isEqualTo("ns.agent.b.question");
    assertThat(transport.publishedTo("_INBOX.r2").get(0).headers().first(Headers.ERROR))
        .startsWith("CodecException: ");
    assertThat(parts.metrics.snapshot()).isEqualTo(new BusStats(2, 1, 0, 0, 1, 1, 0));
  }

  @Test
  void aDeadLetterThatCannotBePublishedIsCountedNeverThrownAndTheRequesterStillTold() {
    BusParts parts = BusParts.on(transport).build();
    transport.failPublishes("ns.deadletter", new TransportException("reconnect buffer full"));
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), d -> {
      throw new IllegalArgumentException("bad");
    });
    assertThat(parts.metrics.deadLetterFailures.sum()).isEqualTo(1);
    assertThat(parts.metrics.deadLettered.sum()).isZero();
    assertThat(transport.publishedTo("_INBOX.r1")).hasSize(1);
  }

  @Test
  void anErrorReplyThatCannotBeSentIsNotThrown() {
    BusParts parts = BusParts.on(transport).build();
    transport.failPublishes("_INBOX.r1", new TransportException("closed"));
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), d -> {
      throw new IllegalArgumentException("bad");
    });
    assertThat(parts.metrics.deadLettered.sum()).isEqualTo(1);
  }

  @Test
  void aFailingMessageOnTheDeadLetterSubjectIsNotRepublished() {
    BusParts parts = BusParts.on(transport).build();
    TransportMessage letter = new TransportMessage("ns.deadletter", null,
        Headers.of(Headers.ERROR, "handler failed: x"), json.encode(MESSAGE));
    parts.pipeline.dispatch(letter, d -> {
      throw new IllegalStateException("the dead-letter handler fails too");
    });
    assertThat(transport.published).isEmpty();
    assertThat(parts.metrics.deadLetterFailures.sum()).isEqualTo(1);
    assertThat(parts.metrics.handlerFailures.sum()).isEqualTo(1);
  }

  @Test
  void anErrorOfTheHandlerIsDeadLetteredButAVirtualMachineErrorPropagates() {
    BusParts parts = BusParts.on(transport).build();
    parts.pipeline.dispatch(request("ns.x", Headers.empty()), d -> {
      throw new AssertionError("handler bug");
    });
    assertThat(transport.publishedTo("ns.deadletter")).hasSize(1);
    assertThatThrownBy(() -> parts.pipeline.dispatch(request("ns.x", Headers.empty()), d -> {
      throw new StackOverflowError();
    })).isInstanceOf(StackOverflowError.class);
    assertThat(transport.publishedTo("ns.deadletter")).hasSize(1);
  }
}
