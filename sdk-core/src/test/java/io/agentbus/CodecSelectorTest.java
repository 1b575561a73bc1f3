package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.spi.TransportMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecSelectorTest {
  private static final FakeCodec JSON = FakeCodec.json();
  private static final FakeCodec TEXT = FakeCodec.labelled("application/x-text",
      "application/x-old-text");
  private static final FakeCodec MAGIC = FakeCodec.recognizing("application/x-magic", (byte) 0x0a);
  private static final AgentMessage MESSAGE =
      FakeCodec.message("a", "b", MessageType.QUESTION, "c-1");

  private static Headers contentType(String type) {
    return Headers.of(Headers.CONTENT_TYPE, type);
  }

  @Test
  void aHeaderlessTextPayloadIsJsonEvenWhenThePrimaryCodecIsAnother() {
    CodecSelector s = new CodecSelector(TEXT, List.of(JSON));
    assertThat(s.codecFor(Headers.empty(), TEXT.encode(MESSAGE))).isSameAs(JSON);
    assertThat(s.codecFor(Headers.empty(), new byte[0])).isSameAs(JSON);
    assertThat(s.codecFor(Headers.empty(), " \n\t{".getBytes(StandardCharsets.UTF_8)))
        .isSameAs(JSON);
  }

  @Test
  void aHeaderlessPayloadARegisteredCodecRecognizesGoesToThatCodec() {
    CodecSelector s = new CodecSelector(JSON, List.of(TEXT, MAGIC));
    assertThat(s.codecFor(Headers.empty(), MAGIC.encode(MESSAGE))).isSameAs(MAGIC);
    assertThat(s.codecFor(Headers.empty(), JSON.encode(MESSAGE))).isSameAs(JSON);
    CodecSelector.Decoded d = s.decode(
        new TransportMessage("ns.x", null, Headers.empty(), MAGIC.encode(MESSAGE)));
    assertThat(d.codec).isSameAs(MAGIC);
    assertThat(d.message).isEqualTo(MESSAGE);
  }

  @Test
  void theContentTypeHeaderIsMatchedWithoutItsParametersOrCaseAndByAlias() {
    CodecSelector s = new CodecSelector(JSON, List.of(TEXT));
    assertThat(s.codecFor(contentType("application/x-text"), new byte[0])).isSameAs(TEXT);
    assertThat(s.codecFor(contentType(" Application/X-Text ; charset=utf-8"), new byte[0]))
        .isSameAs(TEXT);
    assertThat(s.codecFor(contentType("APPLICATION/X-OLD-TEXT"), new byte[0])).isSameAs(TEXT);
    assertThat(s.codecFor(contentType("application/json;charset=UTF-8"), new byte[0]))
        .isSameAs(JSON);
  }

  @Test
  void anUnknownContentTypeIsAnErrorListingTheRegisteredTypes() {
    CodecSelector s = new CodecSelector(JSON, List.of(TEXT));
    assertThatThrownBy(() -> s.codecFor(contentType("application/xml"), new byte[0]))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'application/xml'")
        .hasMessageContaining("application/json")
        .hasMessageContaining("application/x-text")
        .hasMessageContaining("application/x-old-text");
  }

  @Test
  void aBinaryPayloadNobodyRecognizesIsAnErrorThatSuggestsProtobufCodec() {
    CodecSelector s = new CodecSelector(JSON, List.of());
    assertThatThrownBy(() -> s.codecFor(Headers.empty(), new byte[] {0x08, 0x03, (byte) 0x96}))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("binary (3 bytes, byte 0 is 0x08)")
        .hasMessageContaining("[application/json]")
        .hasMessageContaining("ProtobufCodec");
    assertThatThrownBy(() -> s.codecFor(Headers.empty(), new byte[] {' ', (byte) 0xc3}))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("byte 1 is 0xc3");
  }

  @Test
  void aHeaderlessPayloadOnABusWithoutJsonIsAnErrorNamingWhatItDecodes() {
    CodecSelector s = new CodecSelector(TEXT, List.of());
    assertThatThrownBy(() -> s.codecFor(Headers.empty(), TEXT.encode(MESSAGE)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'application/json'")
        .hasMessageContaining("application/x-text");
  }

  @Test
  void equalButDistinctHeadersChooseAsTheSameInstanceDoes() {
    CodecSelector s = new CodecSelector(JSON, List.of(TEXT, MAGIC));
    Headers text = contentType("application/x-text");
    Headers magic = contentType("application/x-magic");
    assertThat(s.codecFor(text, new byte[0])).isSameAs(TEXT);
    assertThat(s.codecFor(text, new byte[0])).isSameAs(TEXT);
    assertThat(s.codecFor(magic, new byte[0])).isSameAs(MAGIC);
    assertThat(s.codecFor(contentType("application/x-text"), new byte[0])).isSameAs(TEXT);
    assertThat(s.codecFor(contentType("application/x-magic"), new byte[0])).isSameAs(MAGIC);
    assertThat(s.codecFor(text, new byte[0])).isSameAs(TEXT);
  }

  @Test
  void headersWithoutAContentTypeStillChooseByEachPayload() {
    CodecSelector s = new CodecSelector(JSON, List.of(MAGIC));
    Headers traced = Headers.of("traceparent", "00-1-2-01");
    // one instance for many messages, as a transport may hand it over: the cached answer is
    // "no content type", never the codec the previous payload happened to need
    assertThat(s.codecFor(traced, MAGIC.encode(MESSAGE))).isSameAs(MAGIC);
    assertThat(s.codecFor(traced, JSON.encode(MESSAGE))).isSameAs(JSON);
    assertThat(s.codecFor(Headers.of("traceparent", "00-1-2-01"), MAGIC.encode(MESSAGE)))
        .isSameAs(MAGIC);
  }

  @Test
  void anUnknownContentTypeFailsEveryTimeNotOnlyTheFirst() {
    CodecSelector s = new CodecSelector(JSON, List.of());
    Headers xml = contentType("application/xml");
    assertThatThrownBy(() -> s.codecFor(xml, new byte[0])).isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> s.codecFor(xml, new byte[0])).isInstanceOf(CodecException.class);
  }
}
