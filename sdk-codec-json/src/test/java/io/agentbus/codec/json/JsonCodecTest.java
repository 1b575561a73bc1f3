package io.agentbus.codec.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.test.SeedFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonCodec codec = JsonCodec.create();

  // ------------------------------------------------------------------ seed fixtures

  @TestFactory
  Stream<DynamicTest> eachSeedFixtureDecodesToItsExpectedMessage() {
    return SeedFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () ->
        assertThat(codec.decode(f.bytes())).isEqualTo(f.expected())));
  }

  /** Timestamps the codec writes differently from the fixture: in UTC with 'Z', 3 or 6 digits. */
  private static final Map<String, String> EMITTED_TIMESTAMPS = Map.of(
      "heartbeat-python-isoformat", "2025-12-05T14:30:30.123456Z",
      "task-assignment-queue", "2025-12-05T14:40:00.000Z");

  @TestFactory
  Stream<DynamicTest> eachSeedFixtureReencodesWithEveryFieldAndValue() {
    return SeedFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      JsonNode original = MAPPER.readTree(f.bytes());
      JsonNode reencoded = MAPPER.readTree(codec.encode(codec.decode(f.bytes())));

      ObjectNode expected = original.deepCopy();
      String emitted = EMITTED_TIMESTAMPS.get(f.name());
      if (emitted != null) {
        expected.put("timestamp", emitted);
      }
      assertThat(reencoded).isEqualTo(expected);
      assertSameKeyOrder(reencoded.get("content"), original.get("content"), "content");
      assertThat(fieldNames(reencoded)).containsExactly(
          "from_agent", "to_agent", "message_type", "content", "timestamp", "correlation_id");
    }));
  }

  @Test
  void pythonTimestampsComeOutWithTheirMicrosecondsAndZ() {
    byte[] heartbeat = SeedFixtures.named("heartbeat-python-isoformat").bytes();

    String out = new String(codec.encode(codec.decode(heartbeat)), UTF_8);

    assertThat(out).contains("\"timestamp\":\"2025-12-05T14:30:30.123456Z\"");
  }

  // ------------------------------------------------------------------ exact bytes

  @Test
  void writesTheSeedFieldsInOrderCompactly() {
    Map<String, @Nullable Object> context = new LinkedHashMap<>();
    context.put("file", "src/models/task.py");
    context.put("line", 42L);
    context.put("ratio", 30.5);
    context.put("two", 2.0);
    context.put("tags", List.of("a", "b"));
    context.put("none", null);
    context.put("ok", true);
    AgentMessage m = AgentMessage.builder()
        .fromAgent("architect-001")
        .toAgent("parser-dev-001")
        .messageType(MessageType.QUESTION)
        .content(Map.of("context", context))
        .timestamp(Instant.parse("2025-12-05T14:30:00Z"))
        .correlationId("arch-001-1733409000.123")
        .build();

    assertThat(new String(codec.encode(m), UTF_8)).isEqualTo(
        "{\"from_agent\":\"architect-001\",\"to_agent\":\"parser-dev-001\","
            + "\"message_type\":\"question\",\"content\":{\"context\":{\"file\":\"src/models/task.py\","
            + "\"line\":42,\"ratio\":30.5,\"two\":2.0,\"tags\":[\"a\",\"b\"],\"none\":null,"
            + "\"ok\":true}},\"timestamp\":\"2025-12-05T14:30:00.000Z\","
            + "\"correlation_id\":\"arch-001-1733409000.123\"}");
  }

  @Test
  void writesToAgentAndCorrelationIdAsNullForABroadcast() throws IOException {
    AgentMessage m = AgentMessage.builder()
        .fromAgent("architect-001")
        .messageType(MessageType.STATUS_UPDATE)
        .timestamp(Instant.parse("2025-12-05T14:31:02.25Z"))
        .build();

    byte[] bytes = codec.encode(m);

    assertThat(new String(bytes, UTF_8)).isEqualTo(
        "{\"from_agent\":\"architect-001\",\"to_agent\":null,\"message_type\":\"status_update\","
            + "\"content\":{},\"timestamp\":\"2025-12-05T14:31:02.250Z\",\"correlation_id\":null}");
    JsonNode tree = MAPPER.readTree(bytes);
    assertThat(tree.has("to_agent")).isTrue();
    assertThat(tree.get("to_agent").isNull()).isTrue();
    assertThat(tree.get("correlation_id").isNull()).isTrue();
  }

  @Test
  void writesTextAsUtf8EscapingOnlyWhatJsonRequires() {
    AgentMessage m = message(map("s", "é😀\u0000\"\\\n", "neg", -0.0, "min", Long.MIN_VALUE,
        "tiny", 4.9e-324, "huge", 1e308));

    String out = new String(codec.encode(m), UTF_8);

    assertThat(out).contains("\"s\":\"é😀\\u0000\\\"\\\\\\n\"")
        .contains("\"neg\":-0.0")
        .contains("\"min\":-9223372036854775808")
        .contains("\"tiny\":4.9E-324")
        .contains("\"huge\":1.0E308");
  }

  @Test
  void encodesYears0000To9999AndRefusesOthers() {
    assertThat(new String(codec.encode(message(Map.of()).toBuilder()
        .timestamp(Instant.parse("0000-01-01T00:00:00Z")).build()), UTF_8))
        .contains("\"timestamp\":\"0000-01-01T00:00:00.000Z\"");
    assertThat(new String(codec.encode(message(Map.of()).toBuilder()
        .timestamp(Instant.parse("9999-12-31T23:59:59.999Z")).build()), UTF_8))
        .contains("\"timestamp\":\"9999-12-31T23:59:59.999Z\"");

    for (Instant outside : List.of(Instant.parse("+10000-01-01T00:00:00Z"),
        Instant.parse("-0001-12-31T23:59:59.999Z"), Instant.MAX, Instant.MIN)) {
      AgentMessage m = message(Map.of()).toBuilder().timestamp(outside).build();
      assertThatThrownBy(() -> codec.encode(m)).as("%s", outside)
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("timestamp")
          .hasMessageContaining("0000 to 9999");
    }
  }

  // ------------------------------------------------------------------ what Python writes

  /**
   * What Python producers write decodes to the exact instant, and a relay writes that instant
   * again in UTC with 'Z' and as many digits as it has: six for the microseconds of {@code
   * datetime.isoformat()} (with an offset, or naive), three for milliseconds, nine for nanoseconds.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "2025-12-05T14:30:30.123456+00:00, 2025-12-05T14:30:30.123456Z",
      "2025-12-05T14:30:30.123456,       2025-12-05T14:30:30.123456Z",
      "2025-12-05 14:30:30.123456+00:00, 2025-12-05T14:30:30.123456Z",
      "2025-12-05T14:30:30.000001+00:00, 2025-12-05T14:30:30.000001Z",
      "2025-12-05T14:30:30.120000+00:00, 2025-12-05T14:30:30.120Z",
      "2025-12-05T14:30:30.123Z,         2025-12-05T14:30:30.123Z",
      "2025-12-05T14:30:30+00:00,        2025-12-05T14:30:30.000Z",
      "2025-12-05T14:30:00Z,             2025-12-05T14:30:00.000Z",
      "2025-12-05T14:30:00.000Z,         2025-12-05T14:30:00.000Z",
      "2025-12-05T14:30:00,              2025-12-05T14:30:00.000Z",
      "2025-12-05t14:30:30.5z,           2025-12-05T14:30:30.500Z",
      "2025-12-05T14:30:30.1Z,           2025-12-05T14:30:30.100Z",
      "2025-12-05T14:30:30.12+00:00,     2025-12-05T14:30:30.120Z",
      "2025-12-05T14:30:30.999999+00:00, 2025-12-05T14:30:30.999999Z",
      "2025-12-05T14:30:30.1234567Z,     2025-12-05T14:30:30.123456700Z",
      "2025-12-05T14:30:30.123456789Z,   2025-12-05T14:30:30.123456789Z",
      "2025-12-05T14:30:30.1234567891Z,  2025-12-05T14:30:30.123456789Z",
      "2025-12-05T20:00:30.123456+05:30, 2025-12-05T14:30:30.123456Z",
      "'2025-12-05T14:30:30,250Z',       2025-12-05T14:30:30.250Z",
      "2025-12-05T20:00:30.123+05:30,    2025-12-05T14:30:30.123Z",
      "2025-12-05T06:30:00-08:00,        2025-12-05T14:30:00.000Z",
      "2025-12-05T06:30:00-0800,         2025-12-05T14:30:00.000Z",
      "2025-12-06T00:30:00+10:00,        2025-12-05T14:30:00.000Z",
      "2025-12-05T14:30:00+05:30:15,     2025-12-05T08:59:45.000Z",
      "2024-02-29T23:59:59.999-00:00,    2024-02-29T23:59:59.999Z",
      "1969-12-31T23:59:59.999Z,         1969-12-31T23:59:59.999Z",
      "1969-12-31T23:59:59.999999+00:00, 1969-12-31T23:59:59.999999Z",
      "0001-01-01T00:00:00+00:00,        0001-01-01T00:00:00.000Z",
  })
  void readsPythonTimestampsExactlyAndRelaysThemWithTheirDigits(String wire, String relayed) {
    AgentMessage m = codec.decode(envelopeWithTimestamp("\"" + wire + "\""));

    assertThat(m.timestamp()).isEqualTo(Instant.parse(relayed));
    assertThat(new String(codec.encode(m), UTF_8))
        .contains("\"timestamp\":\"" + relayed + "\",");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "\"2025-13-05T14:30:00Z\"", "\"2025-02-30T14:30:00Z\"", "\"2025-12-05\"", "\"yesterday\"",
      "\"2025-12-05T24:00:00Z\"", "\"2025-12-05T14:60:00Z\"", "\"2025-12-05T14:30:60Z\"",
      "\"2025-12-05T14:30:00.Z\"", "\"2025-12-05T14:30:00+24:00\"", "\"2025-12-05T14:30:00+05\"",
      "\"2025-12-05T14:30:00.12a3Z\"", "\"2025-12-05T14:30:00Zjunk\"", "\"\"",
      "\"25-12-05T14:30:00Z\"", "\"+2025-12-05T14:30:00Z\"", "\"2025-12-05X14:30:00Z\"",
      "\"0000-01-01T00:30:00+01:00\"", "\"9999-12-31T23:30:00-01:00\"",
      "1733409000", "null", "{}"})
  void rejectsBadTimestampsNamingTheField(String wire) {
    assertThatThrownBy(() -> codec.decode(envelopeWithTimestamp(wire)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("timestamp");
  }

  @Test
  void readsUnicodeEscapesAsPythonsEnsureAsciiWritesThem() {
    AgentMessage m = codec.decode(envelope(
        "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\u0000\"}"));

    assertThat(m.content().get("s")).isEqualTo("café 😀 \u0000");
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
    // JSON can spell an unpaired surrogate (Python's json writes one for a lone surrogate in a
    // str), but it is not Unicode text and readers disagree on it: refused, naming it
    assertThatThrownBy(() -> codec.decode(envelope("{\"lone\": \"\\ud800\"}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unpaired UTF-16 surrogate, \\uD800")
        .hasMessageContaining("content.lone");
  }

  @Test
  void readsNumbersAsPythonWritesThem() {
    AgentMessage m = codec.decode(envelope(
        "{\"a\": 1e+308, \"b\": 5e-324, \"c\": -0.0, \"d\": 2.0, \"e\": -0, \"f\": 1.5E3,"
            + " \"g\": 9223372036854775807, \"h\": -9223372036854775808, \"i\": 9007199254740993}"));

    Map<String, @Nullable Object> c = m.content();
    assertThat(c.get("a")).isEqualTo(1e308);
    assertThat(c.get("b")).isEqualTo(4.9e-324);
    assertThat(Double.doubleToRawLongBits((Double) c.get("c")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(c.get("d")).isInstanceOf(Double.class).isEqualTo(2.0);
    assertThat(c.get("e")).isInstanceOf(Long.class).isEqualTo(0L);
    assertThat(c.get("f")).isEqualTo(1500.0);
    assertThat(c.get("g")).isEqualTo(Long.MAX_VALUE);
    assertThat(c.get("h")).isEqualTo(Long.MIN_VALUE);
    assertThat(c.get("i")).isEqualTo(9007199254740993L);
  }

  @Test
  void ignoresUnknownTopLevelFieldsFromANewerPeer() {
    byte[] bytes = ("{\"schema_version\": 2, \"from_agent\": \"architect-001\", \"to_agent\": null,"
        + " \"priority\": {\"level\": [1, {\"x\": [[]]}], \"s\": \"\\u00e9\"}, \"message_type\":"
        + " \"status_update\", \"content\": {\"status\": \"completed\"}, \"timestamp\":"
        + " \"2025-12-05T14:31:02.250Z\", \"correlation_id\": null, \"trace\": [\"a\", null, true]}")
        .getBytes(UTF_8);

    AgentMessage m = codec.decode(bytes);

    assertThat(m).isEqualTo(AgentMessage.builder()
        .fromAgent("architect-001")
        .messageType(MessageType.STATUS_UPDATE)
        .content(Map.of("status", "completed"))
        .timestamp(Instant.parse("2025-12-05T14:31:02.250Z"))
        .build());
  }

  @Test
  void readsFieldsInAnyOrderAndMissingOptionalFieldsAsNullOrEmpty() {
    AgentMessage m = codec.decode(("{\"timestamp\": \"2025-12-05T14:30:00Z\","
        + " \"message_type\": \"heartbeat\", \"from_agent\": \"a-1\"}").getBytes(UTF_8));

    assertThat(m.toAgent()).isNull();
    assertThat(m.correlationId()).isNull();
    assertThat(m.content()).isEmpty();
    assertThat(m.messageType()).isEqualTo(MessageType.HEARTBEAT);
    assertThat(codec.decode(envelope("null")).content()).isEmpty();
  }

  @Test
  void aKeyGivenTwiceKeepsItsLastValueAsInPython() {
    AgentMessage m = codec.decode(("{\"from_agent\": \"first\", \"from_agent\": \"second\","
        + " \"message_type\": \"heartbeat\", \"content\": {\"k\": 1, \"k\": 2},"
        + " \"timestamp\": \"2025-12-05T14:30:00Z\"}").getBytes(UTF_8));

    assertThat(m.fromAgent()).isEqualTo("second");
    assertThat(m.content()).isEqualTo(Map.of("k", 2L));
  }

  @Test
  void toleratesWhitespaceAndAUtf8ByteOrderMark() {
    byte[] text = (" \n\t{\"from_agent\" : \"a-1\" ,\r\n \"message_type\":\"heartbeat\","
        + "\"timestamp\":\"2025-12-05T14:30:00Z\"}\n\n").getBytes(UTF_8);
    byte[] withBom = new byte[text.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withBom, 3, text.length);

    assertThat(codec.decode(text).fromAgent()).isEqualTo("a-1");
    assertThat(codec.decode(withBom).fromAgent()).isEqualTo("a-1");
  }

  // ------------------------------------------------------------------ rejected input

  @Test
  void rejectsMissingOrNullRequiredFieldsNamingThem() {
    assertThatThrownBy(() -> codec.decode(("{\"from_agent\": \"a-1\", \"message_type\": \"heartbeat\"}")
        .getBytes(UTF_8)))
        .isInstanceOf(CodecException.class).hasMessageContaining("timestamp");
    assertThatThrownBy(() -> codec.decode(("{\"from_agent\": null, \"message_type\": \"heartbeat\","
        + " \"timestamp\": \"2025-12-05T14:30:00Z\"}").getBytes(UTF_8)))
        .isInstanceOf(CodecException.class).hasMessageContaining("null from_agent");
    assertThatThrownBy(() -> codec.decode(("{\"from_agent\": \"a-1\", \"message_type\": null,"
        + " \"timestamp\": \"2025-12-05T14:30:00Z\"}").getBytes(UTF_8)))
        .isInstanceOf(CodecException.class).hasMessageContaining("null message_type");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"from_agent\": 42}                   | from_agent must be a string, found a number",
      "{\"to_agent\": {}}                     | to_agent must be a string, found an object",
      "{\"message_type\": [\"question\"]}     | message_type must be a string, found an array",
      "{\"correlation_id\": true}             | correlation_id must be a string, found a boolean",
      "{\"content\": [1, 2]}                  | content must be a JSON object, found an array",
      "{\"content\": \"text\"}                | content must be a JSON object, found a string",
      "[]                                     | expected a JSON object",
      "\"text\"                               | expected a JSON object",
      "null                                   | expected a JSON object",
      "42                                     | expected a JSON object",
      "{\"from_agent\": \"a b\", \"message_type\": \"heartbeat\", \"timestamp\": \"2025-12-05T14:30:00Z\"} | from_agent 'a b'",
      "{\"from_agent\": \"a-1\", \"to_agent\": \"x.y\", \"message_type\": \"heartbeat\", \"timestamp\": \"2025-12-05T14:30:00Z\"} | to_agent 'x.y'",
      "{\"from_agent\": \"a-1\", \"message_type\": \"a.b\", \"timestamp\": \"2025-12-05T14:30:00Z\"} | message_type",
      "{\"from_agent\": \"a-1\", \"message_type\": \"\", \"timestamp\": \"2025-12-05T14:30:00Z\"} | message_type",
  })
  void rejectsFieldsOfTheWrongKindSayingWhich(String json, String expectedMessagePart) {
    assertThatThrownBy(() -> codec.decode(json.getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(expectedMessagePart);
  }

  @Test
  void rejectsIntegersBeyond64BitsNamingThePath() {
    assertThatThrownBy(() -> codec.decode(envelope(
        "{\"a\": {\"b\": [1, 9223372036854775808]}}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("9223372036854775808")
        .hasMessageContaining("64 bits")
        .hasMessageContaining("content.a.b[1]");
    assertThatThrownBy(() -> codec.decode(envelope("{\"n\": -9223372036854775809}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("content.n");
    assertThatThrownBy(() -> codec.decode(envelope("{\"n\": " + "9".repeat(5000) + "}")))
        .isInstanceOf(CodecException.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400", "nan", "inf"})
  void rejectsNonFiniteNumbers(String number) {
    assertThatThrownBy(() -> codec.decode(envelope("{\"x\": " + number + "}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("content.x")
        .satisfiesAnyOf(
            e -> assertThat(e).hasMessageContaining("NaN and Infinity are not JSON"),
            e -> assertThat(e).hasMessageContaining("beyond the range of a double"),
            e -> assertThat(e).hasMessageContaining("Unrecognized token '" + number + "'"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("JsonReadFeature"));
  }

  @Test
  void rejectsDataAfterTheMessage() {
    String one = new String(SeedFixtures.named("status-update-broadcast").bytes(), UTF_8);

    assertThatThrownBy(() -> codec.decode((one + one).getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("after the message object");
    assertThatThrownBy(() -> codec.decode((one + " x").getBytes(UTF_8)))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> codec.decode((one + "}").getBytes(UTF_8)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void saysWhenInputIsTruncated() {
    byte[] bytes = SeedFixtures.named("question-direct").bytes();
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);

    assertThatThrownBy(() -> codec.decode(cut))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("Truncated JSON message");
  }

  // ------------------------------------------------------------------ UTF-8

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "80,          continuation byte without a lead byte",
      "BF,          continuation byte without a lead byte",
      "FF,          never appears in UTF-8",
      "FE,          never appears in UTF-8",
      "F8 88 80 80 80, never appears in UTF-8",
      "C0 80,       overlong",
      "C1 BF,       overlong",
      "E0 80 80,    overlong",
      "E0 9F BF,    overlong",
      "F0 80 80 80, overlong",
      "F0 8F BF BF, overlong",
      "ED A0 80,    surrogate",
      "ED BF BF,    surrogate",
      "F4 90 80 80, above U+10FFFF",
      "F5 80 80 80, never appears in UTF-8",
      "C3 41,       not a continuation byte",
      "E2 82 41,    not a continuation byte",
      "E9 74 C3,    not a continuation byte",
  })
  void rejectsInvalidUtf8InValuesKeysAndIgnoredFields(String hexBytes, String problem) {
    byte[] bad = hex(hexBytes);
    List<byte[]> inputs = List.of(
        splice("{\"from_agent\": \"a-1\", \"message_type\": \"heartbeat\", \"content\": {\"s\": \"",
            bad, "\"}, \"timestamp\": \"2025-12-05T14:30:00Z\"}"),
        splice("{\"from_agent\": \"a-1\", \"message_type\": \"heartbeat\", \"content\": {\"",
            bad, "\": 1}, \"timestamp\": \"2025-12-05T14:30:00Z\"}"),
        splice("{\"from_agent\": \"a-1\", \"unknown\": \"", bad,
            "\", \"message_type\": \"heartbeat\", \"timestamp\": \"2025-12-05T14:30:00Z\"}"));
    for (byte[] input : inputs) {
      int offset = indexOf(input, bad[0]);
      assertThatThrownBy(() -> codec.decode(input))
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("UTF-8")
          .hasMessageContaining("at byte " + offset)
          .hasMessageContaining(problem);
    }
  }

  @Test
  void rejectsAMultiByteSequenceCutOffByTheEnd() {
    byte[] input = splice("{\"s\": \"", hex("E2 82"), "");
    assertThatThrownBy(() -> codec.decode(input))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("cut off by the end");
  }

  @Test
  void rejectsUtf16AndUtf32Text() {
    String json = new String(SeedFixtures.named("status-update-broadcast").bytes(), UTF_8);
    for (Charset cs : List.of(StandardCharsets.UTF_16BE,
        StandardCharsets.UTF_16LE, StandardCharsets.UTF_16, Charset.forName("UTF-32"))) {
      byte[] input = json.getBytes(cs);
      assertThatThrownBy(() -> codec.decode(input)).as("%s", cs)
          .isInstanceOf(CodecException.class)
          .satisfiesAnyOf(
              e -> assertThat(e).hasMessageContaining("NUL byte"),
              e -> assertThat(e).hasMessageContaining("UTF-8"));
    }
  }

  @Test
  void rejectsLatin1Text() {
    byte[] latin1 = ("{\"from_agent\": \"a-1\", \"message_type\": \"heartbeat\", \"content\":"
        + " {\"s\": \"café\"}, \"timestamp\": \"2025-12-05T14:30:00Z\"}")
        .getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> codec.decode(latin1))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void acceptsEveryKindOfValidUtf8() {
    String text = "a é ߿ ࠀ 한 \uFFFF 😀 \uDBFF\uDFFF \uD800\uDC00";
    AgentMessage m = codec.decode(envelope("{\"s\": \"" + text + "\"}"));

    assertThat(m.content().get("s")).isEqualTo(text);
  }

  // ------------------------------------------------------------------ limits

  @Test
  void contentAt64LevelsIsReadAnd65IsRefusedNamingThePath() {
    assertThat(depthOfS(codec.decode(envelope(nested(63))).content())).isEqualTo(64);

    assertThatThrownBy(() -> codec.decode(envelope(nested(64))))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("nested deeper than 64 levels")
        .hasMessageContaining("content.s[0][0]");
  }

  /** {"s": [[...["x"]...]]} with {@code arrays} arrays under the content object. */
  private static String nested(int arrays) {
    return "{\"s\": " + "[".repeat(arrays) + "\"x\"" + "]".repeat(arrays) + "}";
  }

  private static int depthOfS(Map<String, @Nullable Object> content) {
    int depth = 1;
    Object v = content.get("s");
    while (v instanceof List) {
      depth++;
      v = ((List<?>) v).get(0);
    }
    return depth;
  }

  @Test
  void aHundredThousandOpenBracketsAreRefusedWithoutAStackOverflow() {
    String deep = "[".repeat(100_000);
    List<byte[]> inputs = List.of(
        envelope("{\"s\": " + deep),
        envelope("{\"s\": " + "{\"a\": ".repeat(100_000)),
        ("{\"unknown\": " + deep).getBytes(UTF_8),
        ("{\"unknown\": " + deep + "]".repeat(100_000) + "}").getBytes(UTF_8),
        deep.getBytes(UTF_8));
    for (byte[] input : inputs) {
      assertThatThrownBy(() -> codec.decode(input))
          .isInstanceOf(CodecException.class)
          .satisfiesAnyOf(
              e -> assertThat(e).hasMessageContaining("nested deeper than 64"),
              e -> assertThat(e).hasMessageContaining("nesting depth"),
              e -> assertThat(e).hasMessageContaining("expected a JSON object"));
    }
  }

  @Test
  void refusesOversizedInputBeforeParsingIt() {
    byte[] garbage = new byte[JsonCodec.DEFAULT_MAX_INPUT_BYTES + 1];
    Arrays.fill(garbage, (byte) 0xFF); // invalid UTF-8: the size is checked first

    assertThatThrownBy(() -> codec.decode(garbage))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining((JsonCodec.DEFAULT_MAX_INPUT_BYTES + 1) + " bytes")
        .hasMessageContaining("limit of " + JsonCodec.DEFAULT_MAX_INPUT_BYTES);
  }

  @Test
  void acceptsInputUpToTheLimitExactly() {
    JsonCodec small = JsonCodec.builder().maxInputBytes(400).build();
    byte[] message = SeedFixtures.named("status-update-broadcast").bytes();
    byte[] padded = pad(message, 400);
    byte[] over = pad(message, 401);

    assertThat(small.maxInputBytes()).isEqualTo(400);
    assertThat(small.decode(padded)).isEqualTo(SeedFixtures.named("status-update-broadcast").expected());
    assertThatThrownBy(() -> small.decode(over))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("401 bytes exceeds the limit of 400");
  }

  @Test
  void aMessageTooLargeForTheDefaultLimitIsEncodedButNotDecoded() {
    AgentMessage big = message(Map.of("blob", "x".repeat(JsonCodec.DEFAULT_MAX_INPUT_BYTES)));
    byte[] bytes = codec.encode(big);

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("exceeds the limit");
    assertThat(JsonCodec.builder().maxInputBytes(4 * 1024 * 1024).build().decode(bytes))
        .isEqualTo(big);
  }

  @Test
  void aKeyLongerThanJacksonsDefaultLimitIsRead() {
    AgentMessage m = message(Map.of("k".repeat(60_000), "v"));

    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
  }

  @Test
  void builderRefusesANonPositiveLimit() {
    assertThatThrownBy(() -> JsonCodec.builder().maxInputBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInputBytes")
        .hasMessageContaining("0");
  }

  @Test
  void namesItsContentType() {
    assertThat(codec.contentType()).isEqualTo("application/json").isEqualTo(JsonCodec.CONTENT_TYPE);
    assertThat(codec.toString()).contains("application/json");
  }

  // ------------------------------------------------------------------ fuzzing for bugs

  /**
   * The codec turns any unexpected runtime exception into a CodecException saying it is a bug;
   * the contract suite cannot tell those apart from deliberate errors, so this test looks for them.
   */
  @Test
  void noInputRevealsABugInTheCodec() {
    Random random = new Random(7L);
    List<byte[]> seeds = new ArrayList<>(SeedFixtures.allBytes().values());
    seeds.add(envelope("{\"a\": [1, -2.5e-3, true, null, {\"b\": \"\\u00e9\\n\"}], \"c\": {}}"));
    byte[] alphabet = "{}[]\":,\\-+.0123456789eEtrufalsn \u00e9".getBytes(UTF_8);
    for (int i = 0; i < 5_000; i++) {
      byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(b.length);
        b[at] = random.nextInt(4) == 0 ? (byte) random.nextInt(256)
            : alphabet[random.nextInt(alphabet.length)];
      }
      if (random.nextInt(5) == 0) {
        b = Arrays.copyOf(b, random.nextInt(b.length));
      }
      try {
        AgentMessage m = codec.decode(b);
        assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
      } catch (CodecException e) {
        assertThat(e.getMessage()).as("input %s", new String(b, StandardCharsets.ISO_8859_1))
            .isNotBlank()
            .doesNotContain("JsonCodec bug")
            .doesNotContain("REDACTED")
            .doesNotContain("StreamReadConstraints");
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static AgentMessage message(Map<String, ? extends @Nullable Object> content) {
    return AgentMessage.builder()
        .fromAgent("a-1")
        .messageType(MessageType.STATUS_UPDATE)
        .content(content)
        .timestamp(Instant.parse("2025-12-05T14:30:00Z"))
        .build();
  }

  private static Map<String, @Nullable Object> map(@Nullable Object... kv) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** A seed-format message with this content JSON. */
  private static byte[] envelope(String content) {
    return ("{\"from_agent\": \"a-1\", \"to_agent\": null, \"message_type\": \"status_update\","
        + " \"content\": " + content + ", \"timestamp\": \"2025-12-05T14:30:00.000Z\","
        + " \"correlation_id\": null}").getBytes(UTF_8);
  }

  private static byte[] envelopeWithTimestamp(String timestampJson) {
    return ("{\"from_agent\": \"a-1\", \"to_agent\": null, \"message_type\": \"heartbeat\","
        + " \"content\": {}, \"timestamp\": " + timestampJson + ", \"correlation_id\": null}")
        .getBytes(UTF_8);
  }

  private static byte[] hex(String spaced) {
    String[] parts = spaced.trim().split("\\s+");
    byte[] b = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      b[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return b;
  }

  private static byte[] splice(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(UTF_8));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(UTF_8));
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte needle) {
    for (int i = 0; i < haystack.length; i++) {
      if (haystack[i] == needle) {
        return i;
      }
    }
    throw new AssertionError("byte not found");
  }

  private static byte[] pad(byte[] message, int length) {
    byte[] out = new byte[length];
    Arrays.fill(out, (byte) ' ');
    System.arraycopy(message, 0, out, 0, message.length);
    return out;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static void assertSameKeyOrder(JsonNode actual, JsonNode expected, String path) {
    if (expected.isObject()) {
      assertThat(fieldNames(actual)).as("key order at %s", path).isEqualTo(fieldNames(expected));
      for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        assertSameKeyOrder(actual.get(k), expected.get(k), path + "." + k);
      }
    } else if (expected.isArray()) {
      for (int i = 0; i < expected.size(); i++) {
        assertSameKeyOrder(actual.get(i), expected.get(i), path + "[" + i + "]");
      }
    }
  }
}
