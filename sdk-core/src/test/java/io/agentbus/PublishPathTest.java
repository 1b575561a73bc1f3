package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.MessageInterceptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PublishPathTest {
  private static final AgentMessage MESSAGE =
      FakeCodec.message("a", "b", MessageType.STATUS_UPDATE, null);
  private final RecordingTransport transport = RecordingTransport.coreOnly();

  @Test
  void jsonAndRecognizedPayloadsGoWithoutHeadersAndOthersNameTheirContentType() {
    FakeCodec magic = FakeCodec.recognizing("application/x-magic", (byte) 0x0a);
    FakeCodec text = FakeCodec.labelled("application/x-text");
    BusParts parts = BusParts.on(transport).codec(FakeCodec.json(), magic, text).build();
    parts.publisher.publish("ns.x", MESSAGE, parts.codecs.primary());
    parts.publisher.publish("ns.x", MESSAGE, magic);
    parts.publisher.publish("ns.x", MESSAGE, text);

    assertThat(transport.published).extracting(RecordingTransport.Sent::headers).containsExactly(
        Headers.empty(), Headers.empty(), Headers.of(Headers.CONTENT_TYPE, "application/x-text"));
    assertThat(text.decode(transport.published.get(2).payload())).isEqualTo(MESSAGE);
    assertThat(parts.metrics.published.sum()).isEqualTo(3);
  }

  @Test
  void aPayloadItsCodecDoesNotRecognizeNamesItsContentType() {
    FakeCodec magic = FakeCodec.recognizing("application/x-magic", (byte) 0x0a);
    CodecSelector codecs = new CodecSelector(magic, List.of());
    assertThat(codecs.contentTypeHeaders(magic, "{not magic}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Headers.of(Headers.CONTENT_TYPE, "application/x-magic"));
  }

  @Test
  void interceptorsRunInRegistrationOrderEachSeeingTheHeadersTheOneBeforeReturned() {
    List<String> calls = new CopyOnWriteArrayList<>();
    MessageInterceptor first = new MessageInterceptor() {
      @Override
      public Headers beforePublish(String subject, AgentMessage message, Headers headers,
          byte[] payload) {
        calls.add("first " + subject + " " + headers + " " + message.messageType()
            + " " + payload.length);
        return headers.with("traceparent", "00-1-2-01");
      }
    };
    MessageInterceptor second = new MessageInterceptor() {
      @Override
      public Headers beforePublish(String subject, AgentMessage message, Headers headers,
          byte[] payload) {
        calls.add("second " + headers.names());
        return headers.with("signature", "s");
      }
    };
    FakeCodec text = FakeCodec.labelled("application/x-text");
    BusParts parts = BusParts.on(transport).codec(text).interceptor(first).interceptor(second)
        .build();
    parts.publisher.publish("ns.x", MESSAGE, text);

    int length = text.encode(MESSAGE).length;
    assertThat(calls).containsExactly(
        "first ns.x {Content-Type=[application/x-text]} status_update " + length,
        "second [Content-Type, traceparent]");
    assertThat(transport.published.get(0).headers()).isEqualTo(Headers.builder()
        .add(Headers.CONTENT_TYPE, "application/x-text").add("traceparent", "00-1-2-01")
        .add("signature", "s").build());
  }

  @Test
  void aClosedPathThrowsIllegalStateExceptionAndPublishesNothing() {
    FakeCodec json = FakeCodec.json();
    BusParts parts = BusParts.on(transport).codec(json).build();
    parts.closed.set(true);
    assertThatThrownBy(() -> parts.publisher.publish("ns.x", MESSAGE, json))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(parts.publisher.isClosed()).isTrue();
    assertThat(transport.published).isEmpty();
    assertThat(json.encodes).hasValue(0);
    assertThat(parts.metrics.published.sum()).isZero();
  }

  @Test
  void aPublishTheTransportRefusesIsThrownAndNotCounted() {
    BusParts parts = BusParts.on(transport).build();
    transport.failPublishes(null, new TransportException("connection closed"));
    assertThatThrownBy(() -> parts.publisher.publish("ns.x", MESSAGE, parts.codecs.primary()))
        .isInstanceOf(TransportException.class);
    assertThat(parts.metrics.published.sum()).isZero();
  }

  @Test
  void anEncodeFailureIsThrownBeforeAnythingIsSent() {
    FakeCodec failing = FakeCodec.failing("application/x-broken");
    BusParts parts = BusParts.on(transport).codec(failing).build();
    assertThatThrownBy(() -> parts.publisher.publish("ns.x", MESSAGE, failing))
        .isInstanceOf(CodecException.class).hasMessageContaining("cannot encode");
    assertThat(transport.published).isEmpty();
  }

  @Test
  void singleLineReplacesLineBreaksAndKeepsShortValues() {
    assertThat(PublishPath.singleLine("a\r\nb\nc")).isEqualTo("a  b c");
    String exact = "x".repeat(1024);
    assertThat(PublishPath.singleLine(exact)).isEqualTo(exact);
    assertThat(PublishPath.isHeaderSafe(PublishPath.singleLine("one\rtwo\nthree"))).isTrue();
    assertThat(PublishPath.isHeaderSafe("one\ntwo")).isFalse();
  }

  @Test
  void singleLineCutsALongValueToAboutOneKibibyte() {
    String cut = PublishPath.singleLine("y".repeat(1025));
    assertThat(cut).isEqualTo("y".repeat(1000) + "...");
  }

  @Test
  void singleLineMeasuresItsLimitInBytesAndNeverSplitsACharacter() {
    String euros = PublishPath.singleLine("\u20ac".repeat(1000)); // 3000 bytes in UTF-8
    assertThat(euros.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
    assertThat(euros).startsWith("\u20ac\u20ac").endsWith("\u20ac...");

    String smileys = PublishPath.singleLine("a" + "\ud83d\ude00".repeat(600));
    assertThat(smileys.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
    String kept = smileys.substring(0, smileys.length() - 3);
    assertThat(kept.codePoints().skip(1)).allMatch(cp -> cp == 0x1f600);
  }
}
