package io.agentbus.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.test.SeedFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonWriter} writes what Jackson's generator, configured as {@link JsonCodec} configured it
 * before it had its own writer, wrote for the same message, byte for byte; except for unpaired
 * surrogates, which Jackson's generator mangled.
 */
class JsonWriterTest {
  private static final JsonFactory JACKSON = JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
      .build();
  private final JsonCodec codec = JsonCodec.create();

  @Test
  void seedFixturesAreWrittenAsJacksonWroteThem() {
    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      AgentMessage m = codec.decode(f.bytes());
      assertThat(new String(codec.encode(m), StandardCharsets.UTF_8)).as(f.name())
          .isEqualTo(new String(jackson(m), StandardCharsets.UTF_8));
    }
  }

  @Test
  void generatedMessagesAreWrittenAsJacksonWroteThem() {
    Random random = new Random(5150L);
    for (int i = 0; i < 5000; i++) {
      Map<String, @Nullable Object> content = FastJsonReaderTest.content(random, 0);
      if (hasUnpairedSurrogate(content)) {
        continue;
      }
      AgentMessage m = AgentMessage.builder().fromAgent("agent-" + i)
          .toAgent(i % 3 == 0 ? null : "architect-001")
          .messageType(i % 2 == 0 ? MessageType.STATUS_UPDATE : MessageType.of("future_type"))
          .timestamp(Instant.ofEpochMilli(Math.floorMod(random.nextLong(), 253_402_300_799_000L)))
          .correlationId(i % 4 == 0 ? null : "c\"orr\u00e9-" + i).content(content).build();
      byte[] ours = codec.encode(m);
      assertThat(new String(ours, StandardCharsets.UTF_8)).as("message #%d", i)
          .isEqualTo(new String(jackson(m), StandardCharsets.UTF_8));
      assertThat(codec.decode(ours)).isEqualTo(m);
    }
  }

  @Test
  void unpairedSurrogatesAreRefusedWhenEncoding() {
    List<String> texts = List.of("\uD800", "lone \uD800 high", "lone \uDC00 low", "\uDC00\uD800",
        "end \uDBFF", "pair \uD83D\uDE00 then lone \uD83D", "\uD800\uD800\uDC00");
    for (String s : texts) {
      for (Map<String, Object> content : List.<Map<String, Object>>of(Map.of("k", s),
          Map.of(s, "v"))) {
        AgentMessage m = AgentMessage.builder().fromAgent("a").messageType(MessageType.HEARTBEAT)
            .content(content).build();
        assertThatThrownBy(() -> codec.encode(m)).as(escaped(s))
            .isInstanceOf(io.agentbus.CodecException.class)
            .hasMessageContaining("unpaired UTF-16 surrogate");
      }
    }
  }

  @Test
  void pairedSurrogatesAreOneUtf8Sequence() {
    AgentMessage m = AgentMessage.builder().fromAgent("a").messageType(MessageType.HEARTBEAT)
        .content(Map.of("emoji", "\uD83D\uDE00")).build();
    assertThat(new String(codec.encode(m), StandardCharsets.UTF_8))
        .contains("\"emoji\":\"\uD83D\uDE00\"");
    assertThat(codec.encode(m)).containsSequence((byte) 0xF0, (byte) 0x9F, (byte) 0x98,
        (byte) 0x80);
  }

  private static String escaped(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> sb.append(c < 0x80 ? String.valueOf((char) c)
        : String.format("\\u%04X", c)));
    return sb.toString();
  }

  private static boolean hasUnpairedSurrogate(@Nullable Object v) {
    if (v instanceof String) {
      String s = (String) v;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return true;
        }
      }
      return false;
    }
    if (v instanceof Map) {
      return ((Map<?, ?>) v).entrySet().stream().anyMatch(e -> hasUnpairedSurrogate(e.getKey())
          || hasUnpairedSurrogate(e.getValue()));
    }
    if (v instanceof List) {
      return ((List<?>) v).stream().anyMatch(JsonWriterTest::hasUnpairedSurrogate);
    }
    return false;
  }

  // ------------------------------------------------------------------ the Jackson reference

  private static byte[] jackson(AgentMessage m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] text = new byte[IsoTimestamps.MAX_LENGTH];
    byte[] timestamp = Arrays.copyOf(text, IsoTimestamps.format(m.timestamp(), text));
    try (JsonGenerator g = JACKSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("from_agent");
      g.writeString(m.fromAgent());
      g.writeFieldName("to_agent");
      nullableString(g, m.toAgent());
      g.writeFieldName("message_type");
      g.writeString(m.messageType().wireName());
      g.writeFieldName("content");
      value(g, m.content());
      g.writeFieldName("timestamp");
      g.writeRawUTF8String(timestamp, 0, timestamp.length);
      g.writeFieldName("correlation_id");
      nullableString(g, m.correlationId());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void nullableString(JsonGenerator g, @Nullable String s) throws IOException {
    if (s == null) {
      g.writeNull();
    } else {
      g.writeString(s);
    }
  }

  private static void value(JsonGenerator g, @Nullable Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Long) {
      g.writeNumber((long) (Long) v);
    } else if (v instanceof Double) {
      g.writeNumber((double) (Double) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        g.writeFieldName((String) e.getKey());
        value(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      g.writeStartArray();
      for (Object item : (List<?>) v) {
        value(g, item);
      }
      g.writeEndArray();
    }
  }
}
