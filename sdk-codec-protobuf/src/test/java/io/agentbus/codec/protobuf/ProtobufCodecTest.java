package io.agentbus.codec.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtobufCodecTest {
  private final ProtobufCodec codec = ProtobufCodec.create();

  private AgentMessage roundTrip(AgentMessage m) {
    return codec.decode(codec.encode(m));
  }

  @Test
  void namesItsMediaType() {
    assertThat(codec.contentType()).isEqualTo("application/protobuf")
        .isEqualTo(ProtobufCodec.CONTENT_TYPE);
  }

  @Test
  void recognizesWhatProtocsGeneratedCodeWritesAsWellAsItsOwn() {
    List<AgentMessage> messages = new ArrayList<>(List.of(TestMessages.everyKind(),
        message().build(), message().toAgent("b").correlationId("c").build()));
    io.agentbus.test.SeedFixtures.all().forEach(f -> messages.add(f.expected()));
    for (AgentMessage m : messages) {
      byte[] generated = GeneratedMapping.toGenerated(m).toByteArray();
      assertThat(codec.recognizes(generated)).as("generated encoding of %s", m).isTrue();
      assertThat(codec.recognizes(codec.encode(m))).as("encoding of %s", m).isTrue();
    }
  }

  @Test
  void recognizesFromAgentFollowedByToAgentOrMessageTypeAndNothingElse() {
    assertThat(codec.recognizes(WireBytes.envelope().toByteArray())).isTrue();
    assertThat(codec.recognizes(WireBytes.create().string(1, "a").string(2, "b")
        .toByteArray())).isTrue();
    assertThat(codec.recognizes(WireBytes.create().string(1, "x".repeat(300)).string(3, "q")
        .toByteArray())).as("a two-byte length").isTrue();

    // field 1 followed by content, or alone; fields out of order; from_agent missing
    assertThat(codec.recognizes(WireBytes.create().string(1, "a").string(4, "c").toByteArray()))
        .isFalse();
    assertThat(codec.recognizes(WireBytes.create().string(1, "a").toByteArray())).isFalse();
    assertThat(codec.recognizes(WireBytes.create().string(3, "q").string(1, "a").toByteArray()))
        .isFalse();
    assertThat(codec.recognizes(WireBytes.create().string(3, "heartbeat").tag(5, WireBytes.VARINT)
        .varint(0).toByteArray())).isFalse();
    // from_agent with another wire type; a length past the end; a length of six varint bytes
    assertThat(codec.recognizes(WireBytes.create().tag(1, WireBytes.VARINT).varint(1)
        .string(3, "q").toByteArray())).isFalse();
    assertThat(codec.recognizes(WireBytes.create().tag(1, WireBytes.LEN).varint(50)
        .string(3, "q").toByteArray())).isFalse();
    assertThat(codec.recognizes(WireBytes.create().tag(1, WireBytes.LEN)
        .raw(0x81, 0x80, 0x80, 0x80, 0x80, 0x00).raw(0x1a).toByteArray())).isFalse();
    assertThat(codec.recognizes(WireBytes.create().tag(1, WireBytes.LEN)
        .raw(0xff, 0xff, 0xff, 0xff, 0x0f).raw(0x1a).toByteArray())).as("4 GiB").isFalse();
    assertThat(codec.recognizes(new byte[0])).isFalse();
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyKindOfValueRoundTripsExactly() {
    AgentMessage m = TestMessages.everyKind();
    AgentMessage back = roundTrip(m);

    assertThat(back).isEqualTo(m);
    Map<String, Object> c = back.content();
    assertThat(c.get("long_max")).isInstanceOf(Long.class).isEqualTo(Long.MAX_VALUE);
    assertThat(c.get("long_min")).isInstanceOf(Long.class).isEqualTo(Long.MIN_VALUE);
    assertThat(c.get("big_long")).isEqualTo(9_007_199_254_740_993L);
    assertThat(c.get("integral_double")).isInstanceOf(Double.class).isEqualTo(2.0);
    assertThat(c.get("zero")).isInstanceOf(Long.class);
    assertThat(Double.doubleToRawLongBits((Double) c.get("negative_zero")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(c).containsEntry("null", null).containsEntry("", "empty key");
    assertThat((List<Object>) c.get("list")).containsExactly("parser", 1L, 1.5, true, null,
        List.of("x"), Map.of("k", "v"));
  }

  @Test
  void keyOrderIsKept() {
    Map<String, Object> inner = new LinkedHashMap<>();
    Map<String, Object> content = new LinkedHashMap<>();
    for (int i = 20; i > 0; i--) {
      inner.put("k" + i, (long) i);
      content.put("z" + i, i % 2 == 0 ? "even" : inner);
    }
    AgentMessage back = roundTrip(message(content));

    assertThat(new ArrayList<>(back.content().keySet()))
        .isEqualTo(new ArrayList<>(content.keySet()));
    @SuppressWarnings("unchecked")
    Map<String, Object> backInner = (Map<String, Object>) back.content().get("z1");
    assertThat(new ArrayList<>(backInner.keySet())).isEqualTo(new ArrayList<>(inner.keySet()));
  }

  @Test
  void optionalFieldsStayAbsentOrEmptyAsSent() {
    AgentMessage minimal = roundTrip(TestMessages.minimal());
    assertThat(minimal).isEqualTo(TestMessages.minimal());
    assertThat(minimal.toAgent()).isNull();
    assertThat(minimal.correlationId()).isNull();
    assertThat(minimal.content()).isEmpty();
    assertThat(minimal.timestamp()).isEqualTo(Instant.EPOCH);

    AgentMessage emptyCorrelation = TestMessages.minimal().toBuilder().correlationId("").build();
    assertThat(roundTrip(emptyCorrelation).correlationId()).isEmpty();
  }

  @Test
  void timestampsKeepTheirMilliseconds() {
    for (String t : List.of("2025-12-05T14:30:30.123Z", "1969-12-31T23:59:59.999Z",
        "2262-04-11T23:47:16.854Z", "0001-01-01T00:00:00.001Z")) {
      AgentMessage m = TestMessages.minimal().toBuilder().timestamp(Instant.parse(t)).build();
      assertThat(roundTrip(m).timestamp()).isEqualTo(Instant.parse(t));
    }
  }

  /**
   * The part below the millisecond is field 7, after everything else and only when non-zero: a
   * whole-millisecond message encodes as it did before the field existed.
   */
  @Test
  void nanosBelowTheMillisecondAreAnOptionalLastField() {
    AgentMessage whole = TestMessages.everyKind().toBuilder()
        .timestamp(Instant.parse("2025-12-05T14:30:30.123Z")).build();
    byte[] wholeBytes = codec.encode(whole);
    AgentMessage micros = whole.toBuilder()
        .timestamp(Instant.parse("2025-12-05T14:30:30.123456Z")).build();

    // tag (7 << 3 | varint) = 0x38, then 456000 as a varint: 0xc0 0xea 0x1b
    assertThat(codec.encode(micros)).isEqualTo(concat(wholeBytes,
        new byte[] {0x38, (byte) 0xc0, (byte) 0xea, 0x1b}));
    assertThat(roundTrip(micros).timestamp()).isEqualTo(micros.timestamp());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void timestampsOutsideTheYearsJsonCarriesAreRejected() {
    for (String t : List.of("-0001-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z")) {
      AgentMessage m = TestMessages.minimal().toBuilder().timestamp(Instant.parse(t)).build();
      assertThatThrownBy(() -> codec.encode(m))
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("outside the years 0000 to 9999");
    }
    for (String t : List.of("0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z")) {
      AgentMessage m = TestMessages.minimal().toBuilder().timestamp(Instant.parse(t)).build();
      assertThat(roundTrip(m).timestamp()).isEqualTo(Instant.parse(t));
    }
  }

  @Test
  void anUnknownMessageTypeKeepsItsWireName() {
    AgentMessage back = roundTrip(TestMessages.unknownType());

    assertThat(back.messageType().wireName()).isEqualTo("capability_offer");
    assertThat(back.messageType().isKnown()).isFalse();
    assertThat(back).isEqualTo(TestMessages.unknownType());
    assertThat(codec.encode(back)).isEqualTo(codec.encode(TestMessages.unknownType()));
  }

  @Test
  void everyKnownTypeRoundTrips() {
    for (MessageType t : MessageType.values()) {
      AgentMessage m = TestMessages.minimal().toBuilder().messageType(t).build();
      assertThat(roundTrip(m).messageType()).isSameAs(t);
    }
  }

  @Test
  void contentNestedToTheLimitRoundTrips() {
    AgentMessage deep = message(TestMessages.nestedLists(64));
    assertThat(roundTrip(deep)).isEqualTo(deep);
  }

  @Test
  void largeContentRoundTrips() {
    Map<String, Object> content = new LinkedHashMap<>();
    List<Object> rows = new ArrayList<>();
    for (long i = 0; i < 5_000; i++) {
      rows.add(Map.of("id", i, "name", "row-" + i + "-é", "score", i / 7.0));
    }
    content.put("rows", rows);
    content.put("blob", "x".repeat(300_000)); // a length prefix of three bytes
    AgentMessage m = message(content);
    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Test
  void listsOfEveryFormRoundTrip() {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("strings", List.of("a", "", "😀"));
    content.put("ints", List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE));
    content.put("doubles", List.of(2.0, -0.0, 1e-300, Double.MAX_VALUE));
    content.put("ints_then_double", List.of(1L, 2L, 3.0)); // one double: not the ints form
    content.put("doubles_then_int", List.of(1.0, 2L));
    content.put("strings_then_null", java.util.Arrays.asList("a", null));
    content.put("nulls", java.util.Arrays.asList(null, null));
    content.put("bools", List.of(true, false));
    content.put("lists", List.of(List.of(1L), List.of("x"), List.of()));
    content.put("empty", List.of());
    AgentMessage m = message(content);
    AgentMessage back = roundTrip(m);

    assertThat(back).isEqualTo(m);
    assertThat(((List<?>) back.content().get("ints_then_double")).get(2))
        .isInstanceOf(Double.class);
    assertThat(((List<?>) back.content().get("doubles_then_int")).get(1))
        .isInstanceOf(Long.class);
  }

  @Test
  void encodingIsDeterministic() {
    assertThat(codec.encode(TestMessages.everyKind()))
        .isEqualTo(codec.encode(TestMessages.everyKind()));
  }

  @Test
  void anUnpairedSurrogateCannotBeEncodedAndTheErrorSaysWhere() {
    Map<String, Object> content = Map.of("outer", Map.of("list", List.of("ok", "bad\uD800x")));
    assertThatThrownBy(() -> codec.encode(message(content)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unpaired surrogate at index 3")
        .hasMessageContaining("content.outer.list[1]");

    AgentMessage badCorrelation = TestMessages.minimal().toBuilder()
        .correlationId("\uDC00").build();
    assertThatThrownBy(() -> codec.encode(badCorrelation))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("correlation_id");

    Map<String, Object> badKey = Map.of("k\uDBFF", 1L);
    assertThatThrownBy(() -> codec.encode(message(badKey)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unpaired surrogate at index 1");
  }

  @Test
  void smallValuesTakeFewBytes() {
    // from_agent "a" (3) + message_type "heartbeat" (11) + timestamp 0 (2)
    assertThat(codec.encode(TestMessages.minimal())).hasSize(16);
    // the field "n": -1 is 2 (tag, length) + 3 (key) + 2 (tag, zigzag -1) = 7
    AgentMessage small = TestMessages.minimal().toBuilder().content(Map.of("n", -1L)).build();
    assertThat(codec.encode(small)).hasSize(16 + 7);
    // a list of strings: 2 (tag, length) + 3 (key) + 2 (list_value tag, length) + 2 x 3
    AgentMessage strings = TestMessages.minimal().toBuilder()
        .content(Map.of("l", List.of("a", "b"))).build();
    assertThat(codec.encode(strings)).hasSize(16 + 2 + 3 + 2 + 2 * 3);
    // a list of integers, packed: 2 + 3 + 2 + 2 (ints tag, length) + 1 + 1 + 2 (zigzag 100)
    AgentMessage ints = TestMessages.minimal().toBuilder()
        .content(Map.of("l", List.of(1L, -1L, 100L))).build();
    assertThat(codec.encode(ints)).hasSize(16 + 2 + 3 + 2 + 2 + 4);
    // a mixed list: each element a Value, 2 (tag, length) + its kind (3 for "a", 2 for 1)
    AgentMessage mixed = TestMessages.minimal().toBuilder()
        .content(Map.of("l", List.of("a", 1L))).build();
    assertThat(codec.encode(mixed)).hasSize(16 + 2 + 3 + 2 + (2 + 3) + (2 + 2));
  }

  private static AgentMessage message(Map<String, ?> content) {
    return AgentMessage.builder()
        .fromAgent("tester")
        .toAgent("receiver")
        .messageType(MessageType.TASK_ASSIGNMENT)
        .content(content)
        .timestamp(Instant.parse("2025-12-05T14:40:00Z"))
        .correlationId("c-1")
        .build();
  }

  private static AgentMessage.Builder message() {
    return AgentMessage.builder().fromAgent("a").messageType(MessageType.HEARTBEAT)
        .timestamp(Instant.parse("2025-12-05T14:30:00Z"));
  }
}
