package io.agentbus.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.spi.codec.RecentStrings;
import io.agentbus.test.SeedFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The decoder's fast path ({@link FastJsonReader}) must never change an outcome: for any input,
 * {@code decode} gives the same message, or the same error, with it as without it. Each test
 * also checks that the fast path really took the valid input it was meant for, so that a fast path
 * that gives up on everything cannot pass.
 */
class FastJsonReaderTest {
  private final JsonCodec codec = JsonCodec.create();
  private int fast;
  private int total;

  @Test
  void seedFixturesTakeTheFastPathAndDecodeAsWithJackson() {
    SeedFixtures.all().forEach(f -> assertSameOutcome(f.bytes(), f.name()));
    assertThat(fast).as("fixtures read by the fast path").isEqualTo(SeedFixtures.all().size());
  }

  @Test
  void aSeedMessageDecodedAgainReusesEveryShortStringOfTheFirstDecode() {
    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      List<String> first = shortStrings(codec.decode(f.bytes()));
      List<String> second = shortStrings(codec.decode(f.bytes()));
      assertThat(second).as(f.name()).hasSameSizeAs(first).isNotEmpty();
      for (int i = 0; i < first.size(); i++) {
        assertThat(second.get(i)).as("%s: '%s' made again, so another string of the message "
            + "evicted it", f.name(), first.get(i)).isSameAs(first.get(i));
      }
    }
  }

  /** The ids, member names and string values a decoder may take from {@link RecentStrings}. */
  private static List<String> shortStrings(AgentMessage m) {
    List<String> out = new ArrayList<>();
    for (String s : new String[] {m.fromAgent(), m.toAgent(), m.correlationId()}) {
      if (s != null) {
        out.add(s);
      }
    }
    collect(m.content(), out);
    out.removeIf(s -> s.isEmpty() || s.length() > RecentStrings.MAX_LENGTH
        || !StandardCharsets.US_ASCII.newEncoder().canEncode(s));
    return out;
  }

  private static void collect(@Nullable Object o, List<String> out) {
    if (o instanceof String s) {
      out.add(s);
    } else if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        out.add((String) k);
        collect(v, out);
      });
    } else if (o instanceof List<?> list) {
      list.forEach(v -> collect(v, out));
    }
  }

  @Test
  void generatedMessagesInEveryLayoutDecodeAsWithJackson() {
    Random random = new Random(20261127L);
    for (int i = 0; i < 3000; i++) {
      Map<String, @Nullable Object> content = content(random, 0);
      String json = document(random, content, i % 3 == 0);
      assertSameOutcome(json.getBytes(StandardCharsets.UTF_8), "generated #" + i + ": " + json);
    }
    // integers of 19 digits and unusual layouts go to Jackson; nearly everything else is fast
    assertThat(fast).as("generated messages read by the fast path").isGreaterThan(total * 7 / 10);
  }

  @Test
  void ownEncodingsTakeTheFastPath() {
    Random random = new Random(99L);
    for (int i = 0; i < 1000; i++) {
      AgentMessage m = AgentMessage.builder().fromAgent("agent-" + i).toAgent("architect-001")
          .messageType(MessageType.TASK_ASSIGNMENT).content(content(random, 0))
          .correlationId(i % 2 == 0 ? null : "c-" + i).build();
      byte[] bytes = codec.encode(m);
      assertSameOutcome(bytes, "encoding of " + m);
      assertThat(codec.decode(bytes)).isEqualTo(m);
    }
    assertThat(fast).as("own encodings read by the fast path").isGreaterThan(total * 7 / 10);
  }

  @Test
  void mutatedMessagesFailOrDecodeAsWithJackson() {
    Random random = new Random(31337L);
    byte[] interesting = "{}[]\":,\\/ -+.0123456789eEuntfalsr\t\n\r\u0001\u007f".getBytes(
        StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 20000; i++) {
      String json = document(random, content(random, 0), random.nextBoolean());
      byte[] bytes = mutate(json.getBytes(StandardCharsets.UTF_8), random, interesting);
      assertSameOutcome(bytes, "mutation #" + i + ": "
          + new String(bytes, StandardCharsets.ISO_8859_1));
    }
    assertThat(fast).as("mutations the fast path read").isGreaterThan(0).isLessThan(total);
  }

  /**
   * A differential fuzz of the two decode paths with surrogate escapes spliced into strings and
   * field names (the mutation that once made them disagree: {@code "m\\udc00\\ud800ethods"}
   * read by the fast path, refused by Jackson). Every outcome is the same on both paths, and every
   * document with an unpaired surrogate is refused with an error saying so.
   */
  @Test
  void surrogateEscapesInStringsAndFieldNamesAreReadTheSameOnBothPaths() {
    Random random = new Random(0xD800L);
    String[] escapes = {"\\ud800", "\\udc00", "\\udc00\\ud800", "\\ud83d\\ude80",
        "\\uDBFF\\uDFFF", "\\ud83d", "\\ud83dx", "\\ud83d\\u0041", "\\uDE80\\uD83D"};
    int unpaired = 0;
    int attempts = 20000;
    for (int i = 0; i < attempts; i++) {
      String json = document(random, content(random, 0), random.nextBoolean());
      // splice right after a quote that opens a string or a field name
      List<Integer> quotes = new ArrayList<>();
      for (int q = json.indexOf('"'); q >= 0; q = json.indexOf('"', q + 1)) {
        quotes.add(q);
      }
      int at = quotes.get(random.nextInt(quotes.size())) + 1;
      String escape = escapes[random.nextInt(escapes.length)];
      String mutated = json.substring(0, at) + escape + json.substring(at);
      byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
      assertSameOutcome(bytes, "surrogate mutation #" + i + ": " + mutated);
      String outcome = outcome(bytes, true);
      if (outcome.contains("unpaired UTF-16 surrogate")) {
        unpaired++;
      }
      assertThat(outcome).as(mutated).doesNotContain("\uD800").doesNotContain("\uDC00");
    }
    assertThat(unpaired).as("documents refused for an unpaired surrogate").isGreaterThan(1000);
    System.out.println("SECURITY-FIGURES scenario=json-lone-surrogates attempted=" + attempts
        + " refused-unpaired=" + unpaired + " path-disagreements=0 leaked=0");
  }

  @Test
  void unpairedSurrogatesAreRefusedWithAClearErrorAndPairsAccepted() {
    String head = "{\"from_agent\":\"a\",\"message_type\":\"status_update\","
        + "\"timestamp\":\"2025-12-05T14:30:00Z\",\"content\":";
    for (String content : List.of("{\"m\\udc00\\ud800ethods\":1}", "{\"v\":\"\\ud800\"}",
        "{\"v\":[\"ok\",\"\\udfff\"]}", "{\"v\":\"\\ud83d\\u0041\"}")) {
      for (boolean fastPath : new boolean[] {true, false}) {
        String json = head + content + "}";
        assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8), fastPath))
            .as(json).isInstanceOf(CodecException.class)
            .hasMessageContaining("unpaired UTF-16 surrogate");
      }
    }
    AgentMessage m = codec.decode((head + "{\"v\":\"\\ud83d\\ude80\"}}")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(m.content()).containsEntry("v", "\uD83D\uDE80");
    String json = "{\"from_agent\":\"\\ud800\",\"message_type\":\"x\","
        + "\"timestamp\":\"2025-12-05T14:30:00Z\"}";
    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("unpaired UTF-16 surrogate");
  }

  @Test
  void edgeCasesOfTheGrammarDecodeAsWithJackson() {
    String head = "{\"from_agent\":\"a\",\"message_type\":\"status_update\","
        + "\"timestamp\":\"2025-12-05T14:30:00Z\",\"content\":{\"v\":";
    List<String> values = List.of("0", "-0", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1E5",
        "1e-5", "-0.0", "0.0", "2.0", "123456789012345678", "-123456789012345678",
        "1234567890123456789", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1e400", "-1e400", "1e-400", "4.9E-324", "1.7976931348623157E308",
        "0." + "1".repeat(70), "1" + "0".repeat(70) + ".5", "true", "false", "null", "tru",
        "nul", "truex", "nullnull", "\"\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"",
        "\"\\u0041\\u00e9\\u20ac\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"\\u12G4\"", "\"\\u12\"", "\"\\x\"", "\"\\", "\"a\u0001b\"", "\"a\tb\"", "\"\u00e9\u20ac\"",
        "\"\uD83D\uDE00\"", "[]", "[1,]", "[,1]", "[1 2]", "[1,[2,[3]]]", "{}", "{\"a\":}",
        "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "{\"a\":1,\"a\":2}", "{\"\":0}", "[" + "[".repeat(62)
            + "]".repeat(63), "[" + "[".repeat(63) + "]".repeat(64), "[" + "[".repeat(64)
            + "]".repeat(65), " 1 ", "'a'", "NaN", "Infinity", "-Infinity", "0x10", "1_000");
    List<String> objects = new ArrayList<>();
    for (int n : new int[] {7, 8, 9, 20}) { // around the point where a content object grows large
      List<String> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        members.add("\"k" + i + "\":" + i);
      }
      objects.add("{" + String.join(",", members) + "}");
      objects.add("{" + String.join(",", members) + ",\"k0\":\"again\"}"); // repeated key
      objects.add("{" + String.join(",", members) + ",\"k" + (n - 1) + "\":null}");
    }
    objects.addAll(0, values);
    for (String v : objects) {
      String json = head + v + "}}";
      assertSameOutcome(json.getBytes(StandardCharsets.UTF_8), json);
    }
    List<String> documents = List.of("", " ", "{}", "[]", "null", "{\"from_agent\":\"a\"}",
        "\uFEFF" + head + "1}}", head + "1}} ", head + "1}}\n\t\r ", head + "1}}x", head + "1}}{}",
        head + "1}", head + "1}},", "{\"from_agent\":null,\"message_type\":\"x\",\"timestamp\":"
            + "\"2025-12-05T14:30:00Z\"}", "{\"from_agent\":1,\"message_type\":\"x\",\"timestamp\":"
            + "\"2025-12-05T14:30:00Z\"}", "{\"from_agent\":\"a\",\"message_type\":\"x\","
            + "\"timestamp\":\"2025-13-05T14:30:00Z\"}", "{\"from_agent\":\"a\",\"message_type\":"
            + "\"x\",\"timestamp\":\"2025-12-05T14:30:00\\u005a\"}", "{\"from_agent\":\"a b\","
            + "\"message_type\":\"x\",\"timestamp\":\"2025-12-05T14:30:00Z\"}",
        "{\"from_agent\":\"a\",\"message_type\":\"\",\"timestamp\":\"2025-12-05T14:30:00Z\"}",
        "{\"from_agent\":\"a\",\"message_type\":\"x\",\"timestamp\":\"2025-12-05T14:30:00Z\","
            + "\"content\":[]}", "{\"from_agent\":\"a\",\"message_type\":\"x\",\"timestamp\":"
            + "\"2025-12-05T14:30:00Z\",\"content\":null,\"to_agent\":null,"
            + "\"correlation_id\":null}", "{\"from_\\u0061gent\":\"a\",\"message_type\":\"x\","
            + "\"timestamp\":\"2025-12-05T14:30:00Z\"}", "{\"from_agent\":\"a\",\"message_type\":"
            + "\"x\",\"timestamp\":\"2025-12-05T14:30:00Z\",\"future\":{\"deep\":[1,2.5,\"x\"]}}");
    for (String json : documents) {
      assertSameOutcome(json.getBytes(StandardCharsets.UTF_8), json);
    }
    assertThat(fast).as("edge cases the fast path read").isGreaterThan(10);
  }

  // ------------------------------------------------------------------ comparing the two paths

  private void assertSameOutcome(byte[] bytes, String what) {
    String withFastPath = outcome(bytes, true);
    String withJackson = outcome(bytes, false);
    assertThat(withFastPath).as(what).isEqualTo(withJackson);
    total++;
    if (isValidUtf8(bytes) && tookFastPath(bytes)) {
      fast++;
    }
  }

  /** The fast path decided: it read a message, or fields that are no valid message. */
  private static boolean tookFastPath(byte[] bytes) {
    try {
      return FastJsonReader.read(bytes) != null;
    } catch (CodecException e) {
      return true;
    }
  }

  private String outcome(byte[] bytes, boolean fastPath) {
    try {
      AgentMessage m = codec.decode(bytes, fastPath);
      return "decoded " + m + " content types " + types(m.content());
    } catch (CodecException e) {
      return "CodecException: " + e.getMessage();
    }
  }

  /** The Java types in a content tree, which equals() alone does not fully pin down. */
  private static String types(@Nullable Object v) {
    if (v instanceof Map) {
      StringBuilder sb = new StringBuilder("{");
      ((Map<?, ?>) v).forEach((k, x) -> sb.append(k).append('=').append(types(x)).append(','));
      return sb.append('}').toString();
    }
    if (v instanceof List) {
      StringBuilder sb = new StringBuilder("[");
      ((List<?>) v).forEach(x -> sb.append(types(x)).append(','));
      return sb.append(']').toString();
    }
    return v == null ? "null" : v.getClass().getSimpleName();
  }

  private static boolean isValidUtf8(byte[] bytes) {
    try {
      Utf8.validate(bytes);
      return true;
    } catch (CodecException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ generated input

  private static final String[] AGENTS = {"architect-001", "worker_7", "orchestrator", "a",
      "bad id", "", "agent.with.dots", "ünïcode-agent"};
  private static final String[] TYPES = {"status_update", "task_assignment", "resource_request",
      "heartbeat", "future_type_v2", "", "has space"};
  private static final String[] TIMESTAMPS = {"2025-12-05T14:30:00.000Z", "2025-12-05T14:30:00Z",
      "2025-12-05T14:30:30.123456+00:00", "2025-12-05T20:00:00+05:30", "2025-12-05T14:30:00",
      "2025-12-05 14:30:00.5z", "2025-02-30T00:00:00Z", "not a time"};

  /** An AgentMessage document, laid out as Python or another peer might write it. */
  private static String document(Random r, Map<String, @Nullable Object> content,
      boolean pythonStyle) {
    List<String> fields = new ArrayList<>();
    fields.add(pair(r, "from_agent", pick(r, AGENTS), pythonStyle));
    if (r.nextInt(4) > 0) {
      fields.add(pair(r, "to_agent", r.nextBoolean() ? null : pick(r, AGENTS), pythonStyle));
    }
    fields.add(pair(r, "message_type", pick(r, TYPES), pythonStyle));
    if (r.nextInt(8) > 0) {
      fields.add(pair(r, "content", r.nextInt(10) == 0 ? null : content, pythonStyle));
    }
    fields.add(pair(r, "timestamp", pick(r, TIMESTAMPS), pythonStyle));
    if (r.nextBoolean()) {
      fields.add(pair(r, "correlation_id", r.nextBoolean() ? null : "corr-" + r.nextInt(),
          pythonStyle));
    }
    if (r.nextInt(6) == 0) {
      fields.add(pair(r, "added_by_a_newer_peer", content(r, 1), pythonStyle));
    }
    if (r.nextBoolean()) {
      Collections.shuffle(fields, r);
    }
    return ws(r, pythonStyle) + "{" + ws(r, pythonStyle) + String.join("," + ws(r, pythonStyle),
        fields) + ws(r, pythonStyle) + "}" + ws(r, pythonStyle);
  }

  private static String pair(Random r, String key, @Nullable Object value, boolean pythonStyle) {
    StringBuilder sb = new StringBuilder();
    writeString(sb, key, r, pythonStyle);
    sb.append(ws(r, pythonStyle)).append(':').append(ws(r, pythonStyle));
    writeValue(sb, value, r, pythonStyle);
    return sb.toString();
  }

  private static void writeValue(StringBuilder sb, @Nullable Object v, Random r,
      boolean pythonStyle) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String) {
      writeString(sb, (String) v, r, pythonStyle);
    } else if (v instanceof Double) {
      double d = (Double) v;
      String s = Double.toString(d);
      sb.append(r.nextBoolean() ? s : s.replace("E", r.nextBoolean() ? "e" : "e+")
          .replace("e+-", "e-"));
    } else if (v instanceof Map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        sb.append(first ? "" : ",").append(ws(r, pythonStyle));
        first = false;
        writeString(sb, (String) e.getKey(), r, pythonStyle);
        sb.append(ws(r, pythonStyle)).append(':').append(ws(r, pythonStyle));
        writeValue(sb, e.getValue(), r, pythonStyle);
      }
      sb.append(ws(r, pythonStyle)).append('}');
    } else if (v instanceof List) {
      sb.append('[');
      boolean first = true;
      for (Object x : (List<?>) v) {
        sb.append(first ? "" : ",").append(ws(r, pythonStyle));
        first = false;
        writeValue(sb, x, r, pythonStyle);
      }
      sb.append(ws(r, pythonStyle)).append(']');
    } else {
      sb.append(v); // Long, Boolean
    }
  }

  /** A JSON string; Python style escapes all non-ASCII as \\uXXXX, as json.dumps does. */
  private static void writeString(StringBuilder sb, String s, Random r, boolean pythonStyle) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '/' && r.nextInt(4) == 0) {
        sb.append("\\/");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c < 0x20 || (pythonStyle && c > 0x7e) || Character.isSurrogate(c)) {
        sb.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  private static String ws(Random r, boolean pythonStyle) {
    if (!pythonStyle) {
      return "";
    }
    switch (r.nextInt(6)) {
      case 0:
        return "\n  ";
      case 1:
        return "\t";
      case 2:
        return "\r\n";
      default:
        return " ";
    }
  }

  private static final String[] STRINGS = {"", "plain", "with \"quotes\" and \\ backslash",
      "line one\nline two\ttab", "caf\u00e9 \u20ac", "emoji \uD83D\uDE00", "max \uDBFF\uDFFF pair",
      "ctrl \u0001\u001f", "path/to/file", "https://example.org/a?b=c", "\u0000nul"};

  static Map<String, @Nullable Object> content(Random r, int depth) {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    int size = depth > 3 ? 0 : r.nextInt(depth == 0 ? 6 : 4);
    for (int i = 0; i < size; i++) {
      String key = r.nextInt(5) == 0 ? pick(r, STRINGS) : "k" + i;
      map.put(key, value(r, depth + 1));
    }
    return map;
  }

  private static @Nullable Object value(Random r, int depth) {
    switch (r.nextInt(10)) {
      case 0:
        return null;
      case 1:
        return r.nextBoolean();
      case 2:
        return pick(r, STRINGS);
      case 3:
        return "text-" + r.nextInt(1000);
      case 4: {
        long[] edges = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 999_999_999_999_999_999L,
            -999_999_999_999_999_999L, Integer.MAX_VALUE + 1L};
        return r.nextBoolean() ? edges[r.nextInt(edges.length)] : (long) r.nextInt();
      }
      case 5: {
        double[] edges = {0.0, -0.0, 1.0, 2.5, 1e21, 1e-7, 4.9e-324, Double.MAX_VALUE, 30.5,
            0.1 + 0.2};
        return r.nextBoolean() ? edges[r.nextInt(edges.length)] : r.nextGaussian() * 1e6;
      }
      case 6:
      case 7: {
        List<@Nullable Object> list = new ArrayList<>();
        int size = depth > 3 ? 0 : r.nextInt(4);
        for (int i = 0; i < size; i++) {
          list.add(value(r, depth + 1));
        }
        return list;
      }
      default:
        return content(r, depth);
    }
  }

  private static String pick(Random r, String[] options) {
    return options[r.nextInt(options.length)];
  }

  private static byte[] mutate(byte[] original, Random r, byte[] interesting) {
    byte[] b = original.clone();
    int mutations = 1 + r.nextInt(2);
    for (int m = 0; m < mutations && b.length > 0; m++) {
      int at = r.nextInt(b.length);
      byte value = r.nextInt(4) > 0 ? interesting[r.nextInt(interesting.length)]
          : (byte) r.nextInt(256);
      switch (r.nextInt(3)) {
        case 0:
          b[at] = value;
          break;
        case 1: {
          byte[] shorter = new byte[b.length - 1];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
          b = shorter;
          break;
        }
        default: {
          byte[] longer = new byte[b.length + 1];
          System.arraycopy(b, 0, longer, 0, at);
          longer[at] = value;
          System.arraycopy(b, at, longer, at + 1, b.length - at);
          b = longer;
          break;
        }
      }
    }
    return b;
  }
}
