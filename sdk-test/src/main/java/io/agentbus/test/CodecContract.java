package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.spi.codec.Content;
import io.agentbus.spi.Codec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The behaviour every {@link Codec} must have. A codec's test extends this class and supplies the
 * codec; the same tests then run against it (JSON now, Protobuf later), so that agents using
 * different codecs agree on what a message is.
 *
 * <pre>{@code
 * class JsonCodecContractTest extends CodecContract {
 *   protected Codec codec() { return JsonCodec.create(); }
 *   protected byte[] encodingWithout(AgentMessage m, String field) { ... }
 * }
 * }</pre>
 *
 * <p><b>What the suite decides.</b>
 *
 * <ul>
 *   <li>{@code decode(encode(m))} equals {@code m} for every valid message, and re-encoding the
 *       decoded message gives the same bytes (a relay does not change what it forwards).
 *   <li>Every message type round-trips, including a type this version does not know (sent by a
 *       newer peer): it decodes to {@link MessageType#of(String)} with {@code isKnown() == false}.
 *   <li>Content keeps its value types exactly: every integer is a {@link Long} (all 64 bits, never
 *       a double, even beyond 2<sup>53</sup>), every floating-point number a {@link Double} with
 *       the same bits, even when its value is integral ({@code 2.0} stays {@code 2.0}, never
 *       {@code 2}). Negative zero keeps its sign: JSON writes {@code -0.0} and Python reads it as
 *       {@code -0.0}, so dropping the sign would make a relay change a value. Object keys keep
 *       their order, as JSON objects and Python dicts do. Null values, empty strings and empty
 *       containers stay what they are ({@code correlation_id ""} is not {@code null}).
 *   <li>Strings carry any Unicode text: astral-plane characters, right-to-left text, control
 *       characters and NUL inside strings. (Unpaired surrogates are not part of the contract:
 *       they are not Unicode text, and binary formats with UTF-8 strings cannot carry them.)
 *   <li>Timestamps keep millisecond precision for every instant from year 0001 to 9999, and an
 *       instant with microseconds or nanoseconds (a Python agent stamps microseconds) keeps them
 *       exactly: a relay forwards the instant it received.
 *   <li>Content as deep as {@link Content#MAX_DEPTH} round-trips.
 *   <li>Bad input (empty, random, truncated or mutated bytes, a missing required field) fails with
 *       a {@link CodecException} whose message is not blank; never another exception, a stack
 *       overflow or an out-of-memory error.
 *   <li>{@link Codec#recognizes} never takes JSON text for its own (JSON may start with
 *       whitespace), recognizes either every one of its own encodings or none, and never throws.
 *   <li>A codec is safe to use from many threads at once.
 * </ul>
 *
 * <p>Subclasses must be concrete JUnit 5 test classes; each test gets a fresh instance.
 *
 * <p>This file is longer than the project's 600-line rule on purpose: a compatibility kit is one
 * class to extend per implementation (as Micrometer's {@code MeterRegistryCompatibilityKit} is),
 * and every test in it is a promise that a user can read next to the others.
 */
public abstract class CodecContract {
  /** The fixed time most messages of the suite carry (the seed's example time). */
  protected static final Instant T0 = Instant.parse("2025-12-05T14:30:00.000Z");

  /** The NATS default max payload: every message whose encoding fits must round-trip. */
  private static final int NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

  /** The codec under test; may return the same instance on every call. */
  protected abstract Codec codec();

  /**
   * This codec's encoding of {@code message} with one top-level field left out, as a buggy or
   * foreign peer would send it. The suite checks that decoding it fails, naming the field.
   *
   * @param field the seed wire name of the field: {@code from_agent} or {@code message_type}
   */
  protected abstract byte[] encodingWithout(AgentMessage message, String field);

  /**
   * Whether every proper prefix of an encoding fails to decode. True for formats with an end
   * marker (JSON's closing brace). A format in which a prefix ending on a field boundary is itself
   * a well-formed message (Protobuf) may return false; the suite then still requires that a
   * truncation either fails with a {@link CodecException} or decodes to a valid message.
   */
  protected boolean rejectsEveryTruncation() {
    return true;
  }

  // ------------------------------------------------------------------ message types

  @Test
  public void contentTypeIsAMediaType() {
    assertThat(codec().contentType())
        .as("contentType() travels in the Content-Type header")
        .matches("[a-z0-9.+-]+/[a-z0-9.+-]+");
  }

  @TestFactory
  public Stream<DynamicTest> everyKnownMessageTypeRoundTrips() {
    return MessageType.values().stream().flatMap(type -> Stream.of(
        DynamicTest.dynamicTest(type.wireName() + " broadcast", () -> {
          AgentMessage m = message().messageType(type).build();
          assertThat(roundTrip(m).messageType()).isEqualTo(type);
        }),
        DynamicTest.dynamicTest(type.wireName() + " direct", () -> {
          AgentMessage m = message().messageType(type).toAgent("receiver-002")
              .correlationId("sender-001-1733409000000-1").build();
          AgentMessage back = roundTrip(m);
          assertThat(back.messageType()).isEqualTo(type);
          assertThat(back.messageType().isKnown()).isTrue();
        })));
  }

  @Test
  public void aMessageTypeFromANewerPeerDecodesAsUnknownAndReencodesUnchanged() {
    MessageType future = MessageType.of("capability_announcement");
    AgentMessage m = message().messageType(future).toAgent("receiver-002")
        .content(map("capabilities", List.of("parse", "plan"))).build();
    byte[] bytes = codec().encode(m);

    AgentMessage back = codec().decode(bytes);

    assertThat(back.messageType().isKnown()).isFalse();
    assertThat(back.messageType().wireName()).isEqualTo("capability_announcement");
    assertThat(back.messageType()).isEqualTo(MessageType.of("capability_announcement"));
    assertThat(back).isEqualTo(m);
    assertThat(codec().encode(back)).as("re-encoded bytes").isEqualTo(bytes);
  }

  // ------------------------------------------------------------------ envelope fields

  @Test
  public void nullToAgentAndCorrelationIdStayNull() {
    AgentMessage back = roundTrip(message().build());

    assertThat(back.toAgent()).isNull();
    assertThat(back.correlationId()).isNull();
  }

  @Test
  public void correlationIdsAreAnyString() {
    for (String id : List.of("", " ", "arch-001-1733409000.123", "parser-dev-001-1733409130004-1",
        "with spaces and\ttabs", "корр-😀-id", "x".repeat(2000))) {
      AgentMessage back = roundTrip(message().correlationId(id).build());
      assertThat(back.correlationId()).as("correlation id %s", abbreviate(id)).isEqualTo(id);
    }
  }

  @Test
  public void timestampsKeepMillisecondPrecisionFromYear1To9999() {
    List<Instant> instants = List.of(
        T0,
        Instant.parse("2025-12-05T14:30:30.123Z"),
        Instant.parse("2025-12-05T14:30:30.999Z"),
        Instant.parse("2025-12-05T14:30:30.001Z"),
        Instant.EPOCH,
        Instant.parse("1969-12-31T23:59:59.999Z"),
        Instant.parse("1900-02-28T12:00:00.500Z"),
        Instant.parse("2024-02-29T23:59:59.999Z"),
        Instant.parse("0001-01-01T00:00:00.000Z"),
        Instant.parse("9999-12-31T23:59:59.999Z"));
    for (Instant t : instants) {
      AgentMessage back = roundTrip(message().timestamp(t).build());
      assertThat(back.timestamp()).isEqualTo(t);
    }
  }

  @Test
  public void timestampsKeepMicrosecondsAndNanoseconds() {
    List<Instant> instants = List.of(
        Instant.parse("2025-12-05T14:30:30.123456Z"), // what Python's datetime.isoformat() holds
        Instant.parse("2025-12-05T14:30:30.000001Z"),
        Instant.parse("2025-12-05T14:30:30.999999Z"),
        Instant.parse("2025-12-05T14:30:30.123456789Z"),
        Instant.parse("2025-12-05T14:30:30.000000001Z"),
        Instant.parse("2025-12-05T14:30:30.999999999Z"),
        Instant.parse("1969-12-31T23:59:59.999999Z"), // below the millisecond before 1970
        Instant.parse("1969-12-31T23:59:59.000000001Z"),
        Instant.parse("0001-01-01T00:00:00.000001Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"));
    for (Instant t : instants) {
      AgentMessage back = roundTrip(message().timestamp(t).build());
      assertThat(back.timestamp()).as("%s", t).isEqualTo(t);
    }
  }

  @Test
  public void agentIdsMayBeAnyUnicodeToken() {
    AgentMessage m = message().fromAgent("агент-7").toAgent("代理-😀").build();
    AgentMessage back = roundTrip(m);
    assertThat(back.fromAgent()).isEqualTo("агент-7");
    assertThat(back.toAgent()).isEqualTo("代理-😀");
  }

  // ------------------------------------------------------------------ content

  @Test
  public void emptyContentRoundTrips() {
    AgentMessage back = roundTrip(message().content(Map.of()).build());
    assertThat(back.content()).isEmpty();
  }

  @Test
  public void unicodeTextRoundTrips() {
    List<String> texts = List.of(
        "emoji 😀🚀 and a family 👩‍👩‍👧 (ZWJ sequence)",
        "astral plane: 𝄞 U+1D11E, 🀄 U+1F004, U+10FFFF \uDBFF\uDFFF",
        "flag 🇫🇷 is two regional indicators",
        "مرحبا بالعالم",
        "שלום עולם",
        "mixed: abc אבג 123 مرحبا",
        "\u202Eright-to-left override\u202C and isolate \u2067x\u2069",
        "nul\u0000inside",
        "controls \u0001\u0007\b\f\n\r\t\u001f and DEL \u007f",
        "quotes \" backslash \\ slash / braces {} [] colon : comma ,",
        "line separators \u2028 \u2029",
        "byte order mark \uFEFF, replacement \uFFFD, noncharacter \uFFFF",
        "combining e\u0301 vs precomposed é",
        "中文 日本語 한국어",
        "");
    Map<String, @Nullable Object> content = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      content.put("t" + i, texts.get(i));
    }
    content.put("all", texts);
    content.put("ключ", "Cyrillic key");
    content.put("😀", "emoji key");
    content.put("", "empty key");
    content.put("a.b c", "key with a dot and a space");
    content.put("nul\u0000key", "NUL in a key");
    content.put("עברית", map("שלום", "nested RTL key"));

    AgentMessage back = roundTrip(message().content(content).build());

    for (int i = 0; i < texts.size(); i++) {
      assertThat(back.content().get("t" + i)).as("text %d", i).isEqualTo(texts.get(i));
    }
    assertThat(back.content()).containsKeys("ключ", "😀", "", "a.b c", "nul\u0000key", "עברית");
  }

  @Test
  public void nestedMapsAndListsRoundTripWithKeyOrder() {
    Map<String, @Nullable Object> content = map(
        "zeta", 1L,
        "alpha", map("list", List.of(1L, "two", 3.5, true, map("deep", List.of(List.of()))),
            "empty_map", Map.of(),
            "empty_list", List.of()),
        "matrix", List.of(List.of(1L, 2L), List.of(3L, 4L), List.of()),
        "records", List.of(map("id", 1L, "tags", List.of("a")), map("id", 2L, "tags", List.of())),
        "mid", "m");

    AgentMessage back = roundTrip(message().content(content).build());

    assertThat(back.content()).isEqualTo(content);
    assertThat(back.content().keySet()).containsExactly("zeta", "alpha", "matrix", "records", "mid");
    @SuppressWarnings("unchecked")
    Map<String, Object> alpha =
        (Map<String, Object>) Objects.requireNonNull(back.content().get("alpha"));
    assertThat(alpha.keySet()).containsExactly("list", "empty_map", "empty_list");
  }

  @Test
  public void contentAsDeepAsTheLimitRoundTrips() {
    Object value = map("leaf", true);
    // the content map itself is level 1; the innermost container sits at MAX_DEPTH
    for (int level = Content.MAX_DEPTH - 1; level >= 2; level--) {
      value = level % 2 == 0 ? List.of(value) : map("k", value);
    }
    Map<String, @Nullable Object> content = map("root", value);

    AgentMessage back = roundTrip(message().content(content).build());

    assertThat(back.content()).isEqualTo(content);
    assertThat(depthOf(back.content())).isEqualTo(Content.MAX_DEPTH);
  }

  @Test
  public void nullValuesRoundTrip() {
    List<@Nullable Object> withNulls = new ArrayList<>(Arrays.asList(null, 1L, null));
    Map<String, @Nullable Object> content = map(
        "owner", null,
        "list", withNulls,
        "nested", map("x", null));

    AgentMessage back = roundTrip(message().content(content).build());

    assertThat(back.content()).containsEntry("owner", null);
    assertThat(back.content().get("list")).isEqualTo(withNulls);
    assertThat(back.content().get("nested")).isEqualTo(map("x", null));
  }

  @Test
  public void booleansRoundTrip() {
    Map<String, @Nullable Object> content = map("yes", true, "no", false,
        "list", List.of(true, false, true));

    AgentMessage back = roundTrip(message().content(content).build());

    assertThat(back.content().get("yes")).isEqualTo(Boolean.TRUE);
    assertThat(back.content().get("no")).isEqualTo(Boolean.FALSE);
    assertThat(back.content().get("list")).isEqualTo(List.of(true, false, true));
  }

  @Test
  public void integersStayExactLongsOverAll64Bits() {
    long twoTo53 = 1L << 53;
    List<Long> values = List.of(0L, 1L, -1L, 42L,
        (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE,
        Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, twoTo53 - 1, twoTo53, twoTo53 + 1,
        -twoTo53 - 1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1);
    Map<String, @Nullable Object> content = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      content.put("i" + i, values.get(i));
    }
    content.put("list", values);

    AgentMessage back = roundTrip(message().content(content).build());

    for (int i = 0; i < values.size(); i++) {
      assertThat(back.content().get("i" + i)).as("integer %d", values.get(i))
          .isInstanceOf(Long.class).isEqualTo(values.get(i));
    }
    List<?> list = (List<?>) Objects.requireNonNull(back.content().get("list"));
    assertThat(list).hasSize(values.size()).allSatisfy(v -> assertThat(v).isInstanceOf(Long.class));
    assertThat(list).isEqualTo(values);
  }

  @Test
  public void doublesStayDoublesWithTheSameBits() {
    List<Double> values = List.of(0.1, 0.0, -0.0, 2.0, -2.0, 30.5, 1e308, Double.MAX_VALUE,
        4.9e-324, Double.MIN_NORMAL, 1e21, 1e22, 1e23, 1e-7, 0.30000000000000004, Math.PI,
        -1.5e-300, 123456789.125, 9007199254740993.0, 1e15, -123.0);
    Map<String, @Nullable Object> content = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      content.put("d" + i, values.get(i));
    }
    content.put("list", values);

    AgentMessage back = roundTrip(message().content(content).build());

    for (int i = 0; i < values.size(); i++) {
      double expected = values.get(i);
      Object actual = back.content().get("d" + i);
      assertThat(actual).as("double %s", expected).isInstanceOf(Double.class);
      assertThat(Double.doubleToRawLongBits((Double) actual))
          .as("bits of %s, got %s", expected, actual)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
    List<?> list = (List<?>) Objects.requireNonNull(back.content().get("list"));
    assertThat(list).allSatisfy(v -> assertThat(v).isInstanceOf(Double.class));
    assertThat(list).isEqualTo(values);
  }

  @Test
  public void aMessageThatFitsTheDefaultNatsPayloadRoundTrips() {
    Map<String, @Nullable Object> many = new LinkedHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      many.put("k" + i, (long) i);
    }
    Map<String, @Nullable Object> content = map("blob", "x".repeat(800_000), "many", many);
    AgentMessage m = message().content(content).build();

    byte[] bytes = codec().encode(m);

    assertThat(bytes.length).as("encoded size").isLessThanOrEqualTo(NATS_DEFAULT_MAX_PAYLOAD);
    assertThat(codec().decode(bytes)).isEqualTo(m);
  }

  // ------------------------------------------------------------------ seed fixtures

  @TestFactory
  public Stream<DynamicTest> everySeedFixtureRoundTrips() {
    return SeedFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      AgentMessage back = roundTrip(f.expected());
      assertThat(back.content()).isEqualTo(f.expected().content());
    }));
  }

  // ------------------------------------------------------------------ header-less payloads

  @Test
  public void recognizesNoJsonText() {
    List<byte[]> texts = new ArrayList<>();
    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      for (String lead : List.of("", "\n", " ", "\r\n\t ", "\n\n")) {
        texts.add(concat(lead.getBytes(StandardCharsets.US_ASCII), f.bytes()));
      }
    }
    // a newline, then '{' (0x7b, 123): the bytes a protobuf field 1 of 123 bytes starts with
    String id = "a".repeat(120);
    texts.add(("\n{\"from_agent\": \"" + id + "\", \"message_type\": \"heartbeat\", "
        + "\"content\": {}, \"timestamp\": \"2025-12-05T14:30:00Z\"}")
        .getBytes(StandardCharsets.UTF_8));
    texts.add("\n{}".getBytes(StandardCharsets.US_ASCII));

    for (byte[] text : texts) {
      assertThat(codec().recognizes(text))
          .as("recognizes(%s)", new String(text, StandardCharsets.UTF_8)).isFalse();
    }
  }

  @Test
  public void recognizesEveryOneOfItsOwnEncodingsOrNone() {
    List<AgentMessage> messages = new ArrayList<>();
    messages.add(richMessage());
    messages.add(message().build());
    messages.add(message().fromAgent("a").content(Map.of()).build());
    messages.add(message().fromAgent("a".repeat(123)).toAgent("b").build());
    messages.add(message().fromAgent("x".repeat(20_000)).build());
    messages.add(message().messageType(MessageType.of("capability_announcement")).build());
    SeedFixtures.all().forEach(f -> messages.add(f.expected()));
    boolean first = codec().recognizes(codec().encode(messages.get(0)));

    for (AgentMessage m : messages) {
      assertThat(codec().recognizes(codec().encode(m))).as("recognizes(encode(%s))",
          abbreviate(m.toString())).isEqualTo(first);
    }
  }

  @Test
  public void recognizingOddBytesNeverThrows() {
    Random random = new Random(20261127L);
    byte[] rich = codec().encode(richMessage());
    List<byte[]> inputs = new ArrayList<>();
    for (int length = 0; length <= rich.length; length++) {
      inputs.add(Arrays.copyOf(rich, length));
    }
    for (int i = 0; i < 2000; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      if (i % 2 == 0 && bytes.length > 0) {
        bytes[0] = rich.length > 0 ? rich[0] : 0;
      }
      inputs.add(bytes);
    }
    inputs.add(new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x1a});
    inputs.add(new byte[] {0x0a, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80});

    for (byte[] input : inputs) {
      try {
        codec().recognizes(input);
      } catch (Throwable t) {
        throw new AssertionError("recognizes(" + Arrays.toString(input) + ") threw " + t, t);
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  // ------------------------------------------------------------------ bad input

  @Test
  public void emptyInputIsRejected() {
    assertThatThrownBy(() -> codec().decode(new byte[0]))
        .isInstanceOf(CodecException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
  }

  @Test
  public void aMissingFromAgentIsRejectedNamingTheField() {
    assertMissingFieldRejected("from_agent");
  }

  @Test
  public void aMissingMessageTypeIsRejectedNamingTheField() {
    assertMissingFieldRejected("message_type");
  }

  private void assertMissingFieldRejected(String field) {
    AgentMessage m = message().toAgent("receiver-002").correlationId("c-1")
        .content(map("question", "?")).build();
    byte[] without = encodingWithout(m, field);

    assertThatThrownBy(() -> codec().decode(without))
        .as("decoding a message without %s", field)
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(field);
  }

  @Test
  public void everyTruncationFailsCleanly() {
    List<AgentMessage> messages = new ArrayList<>();
    messages.add(richMessage());
    SeedFixtures.all().forEach(f -> messages.add(f.expected()));
    for (AgentMessage m : messages) {
      byte[] bytes = codec().encode(m);
      for (int length = 0; length < bytes.length; length++) {
        byte[] prefix = Arrays.copyOf(bytes, length);
        int n = length;
        Supplier<String> what = () -> "the first " + n + " of " + bytes.length + " bytes of " + m;
        AgentMessage decoded = decodeOrCodecException(prefix, what);
        if (decoded != null) {
          if (rejectsEveryTruncation()) {
            fail("decoding %s succeeded with %s; a truncation must fail", what.get(), decoded);
          }
          assertConsistent(decoded, what);
        }
      }
    }
  }

  @Test
  public void randomBytesFailCleanly() {
    Random random = new Random(20251205L);
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = new byte[i < 100 ? i % 17 : random.nextInt(600)];
      random.nextBytes(bytes);
      int n = i;
      Supplier<String> what = () -> "random input #" + n + " " + Arrays.toString(bytes);
      AgentMessage decoded = decodeOrCodecException(bytes, what);
      if (decoded != null) {
        assertConsistent(decoded, what);
      }
    }
  }

  @Test
  public void mutatedEncodingsFailCleanlyOrDecodeConsistently() {
    Random random = new Random(4242L);
    byte[] interesting = {'{', '}', '[', ']', '"', '\\', ':', ',', '0', '9', '-', '.', 'e', 'n',
        't', 'f', ' ', 0, 1, 0x0a, 0x12, 0x1a, 0x22, 0x7f, (byte) 0x80, (byte) 0xc0,
        (byte) 0xc3, (byte) 0xed, (byte) 0xf0, (byte) 0xff};
    byte[] original = codec().encode(richMessage());
    for (int i = 0; i < 4000; i++) {
      byte[] bytes = mutate(original, random, interesting);
      int n = i;
      Supplier<String> what = () -> "mutation #" + n + " of the rich message's encoding: "
          + new String(bytes, StandardCharsets.ISO_8859_1);
      AgentMessage decoded = decodeOrCodecException(bytes, what);
      if (decoded != null) {
        assertConsistent(decoded, what);
      }
    }
  }

  private static byte[] mutate(byte[] original, Random random, byte[] interesting) {
    byte[] b = original.clone();
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      int at = random.nextInt(b.length);
      byte value = random.nextBoolean()
          ? interesting[random.nextInt(interesting.length)] : (byte) random.nextInt(256);
      switch (random.nextInt(5)) {
        case 0:
          b[at] = value;
          break;
        case 1: { // delete a byte
          byte[] shorter = new byte[b.length - 1];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
          b = shorter;
          break;
        }
        case 2: { // insert a byte
          byte[] longer = new byte[b.length + 1];
          System.arraycopy(b, 0, longer, 0, at);
          longer[at] = value;
          System.arraycopy(b, at, longer, at + 1, b.length - at);
          b = longer;
          break;
        }
        case 3: { // repeat a slice, as a corrupted buffer might
          int len = 1 + random.nextInt(Math.min(32, b.length - at));
          byte[] longer = new byte[b.length + len];
          System.arraycopy(b, 0, longer, 0, at + len);
          System.arraycopy(b, at, longer, at + len, b.length - at);
          b = longer;
          break;
        }
        default: // flip one bit
          b[at] ^= (byte) (1 << random.nextInt(8));
          break;
      }
    }
    return b;
  }

  // ------------------------------------------------------------------ concurrency

  @Test
  public void oneCodecServesManyThreadsAtOnce() {
    int threads = 4;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String sender = "sender-" + t;
        done.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < perThread; i++) {
            AgentMessage m = message().fromAgent(sender).correlationId(sender + "-" + i)
                .content(map("i", (long) i, "text", "message " + i + " 😀", "x", i + 0.5)).build();
            AgentMessage back = codec().decode(codec().encode(m));
            if (!back.equals(m)) {
              throw new AssertionError("thread " + sender + " sent " + m + " but got " + back);
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).join();
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A builder for a valid broadcast from {@code sender-001} at {@link #T0}. */
  protected static AgentMessage.Builder message() {
    return AgentMessage.builder()
        .fromAgent("sender-001")
        .messageType(MessageType.STATUS_UPDATE)
        .content(map("status", "working"))
        .timestamp(T0);
  }

  /** A message with a bit of everything, used for truncation and mutation. */
  protected static AgentMessage richMessage() {
    return message()
        .toAgent("receiver-002")
        .messageType(MessageType.TASK_ASSIGNMENT)
        .correlationId("sender-001-1733409000000-7")
        .timestamp(Instant.parse("2025-12-05T14:30:30.123Z"))
        .content(map(
            "text", "héllo 😀 مرحبا \u0000 \"q\"",
            "n", Long.MIN_VALUE,
            "big", Long.MAX_VALUE,
            "d", 30.5,
            "two", 2.0,
            "neg_zero", -0.0,
            "flags", List.of(true, false),
            "nothing", null,
            "nested", map("list", List.of(1L, map("k", List.of())), "empty", Map.of())))
        .build();
  }

  /**
   * Encodes, decodes, checks equality and that re-encoding gives the same bytes; returns the
   * decoded message.
   */
  protected final AgentMessage roundTrip(AgentMessage m) {
    byte[] bytes = codec().encode(m);
    AgentMessage back = codec().decode(bytes);
    assertThat(back).as("decode(encode(m))").isEqualTo(m);
    assertThat(codec().encode(back)).as("encode(decode(encode(m))) compared to encode(m)")
        .isEqualTo(bytes);
    return back;
  }

  /** Decodes, or returns null after checking that a CodecException with a message was thrown. */
  private @Nullable AgentMessage decodeOrCodecException(byte[] input, Supplier<String> what) {
    try {
      return codec().decode(input);
    } catch (CodecException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("decoding " + what.get()
            + " threw a CodecException without a message", e);
      }
      return null;
    } catch (Throwable t) { // also StackOverflowError and OutOfMemoryError: each is a failure
      throw new AssertionError("decoding " + what.get() + " threw " + t
          + " instead of a CodecException", t);
    }
  }

  /** A message that decoded from odd bytes must still be one the codec handles like any other. */
  private void assertConsistent(AgentMessage decoded, Supplier<String> what) {
    AgentMessage again = codec().decode(codec().encode(decoded));
    if (!again.equals(decoded)) {
      fail("%s decoded to %s, which does not survive a round trip: got %s", what.get(), decoded,
          again);
    }
  }

  private static int depthOf(@Nullable Object value) {
    if (value instanceof Map) {
      int max = 0;
      for (Object v : ((Map<?, ?>) value).values()) {
        max = Math.max(max, depthOf(v));
      }
      return 1 + max;
    }
    if (value instanceof List) {
      int max = 0;
      for (Object v : (List<?>) value) {
        max = Math.max(max, depthOf(v));
      }
      return 1 + max;
    }
    return 0;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? "'" + s + "'"
        : "'" + s.substring(0, 40) + "...' (" + s.length() + " chars)";
  }

  /** An insertion-ordered map from alternating keys and values; values may be null. */
  protected static Map<String, @Nullable Object> map(@Nullable Object... keysAndValues) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) Objects.requireNonNull(keysAndValues[i]), keysAndValues[i + 1]);
    }
    return m;
  }
}
