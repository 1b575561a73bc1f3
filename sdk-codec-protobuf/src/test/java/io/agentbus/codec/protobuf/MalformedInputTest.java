package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.WireBytes.END_GROUP;
import static io.agentbus.codec.protobuf.WireBytes.I64;
import static io.agentbus.codec.protobuf.WireBytes.LEN;
import static io.agentbus.codec.protobuf.WireBytes.START_GROUP;
import static io.agentbus.codec.protobuf.WireBytes.VARINT;
import static io.agentbus.codec.protobuf.WireBytes.create;
import static io.agentbus.codec.protobuf.WireBytes.envelope;
import static io.agentbus.codec.protobuf.WireBytes.stringKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.CodedInputStream;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Untrusted bytes: every problem is a {@link CodecException} that says what was wrong, never
 * another exception, a stack overflow or an allocation sized by the input's claims.
 */
class MalformedInputTest {
  private final ProtobufCodec codec = ProtobufCodec.create();

  private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] bytes) {
    return assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageStartingWith("Invalid protobuf AgentMessage (" + bytes.length + " bytes): ");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(WireBytes bytes) {
    return assertRejected(bytes.toByteArray());
  }

  /** Decodes, and fails the test on anything but success or a CodecException. */
  /** True when the codec rejected {@code bytes}; fails the test on any other exception. */
  private boolean decodeOrReject(byte[] bytes, String what) {
    try {
      codec.decode(bytes);
      return false;
    } catch (CodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return true;
    } catch (Throwable t) {
      throw new AssertionError(what + " " + Arrays.toString(bytes) + " threw " + t, t);
    }
  }

  @Test
  void theHandBuiltEnvelopeIsValid() {
    AgentMessage m = codec.decode(envelope().toByteArray());
    assertThat(m.fromAgent()).isEqualTo("a");
    assertThat(m.content()).isEmpty();
  }

  // ------------------------------------------------------------------ missing and invalid fields

  @Test
  void requiredFieldsAreNamedWhenMissing() {
    assertRejected(new byte[0]).hasMessageContaining("AgentMessage.from_agent (field 1) is missing");
    assertRejected(create().string(3, "heartbeat").tag(5, VARINT).varint(0))
        .hasMessageContaining("from_agent (field 1) is missing or empty");
    assertRejected(create().string(1, "").string(3, "heartbeat").tag(5, VARINT).varint(0))
        .hasMessageContaining("from_agent (field 1) is missing or empty");
    assertRejected(create().string(1, "a").tag(5, VARINT).varint(0))
        .hasMessageContaining("AgentMessage.message_type (field 3) is missing");
    assertRejected(create().string(1, "a").string(3, "heartbeat"))
        .hasMessageContaining("AgentMessage.timestamp_millis (field 5) is missing");
  }

  @Test
  void aTimestampBeyondYear9999IsRejected() {
    assertRejected(create().string(1, "a").string(3, "heartbeat").tag(5, VARINT)
        .varint(Long.MAX_VALUE))
        .hasMessageContaining("timestamp_millis " + Long.MAX_VALUE + " is outside the years");
    assertRejected(create().string(1, "a").string(3, "heartbeat").tag(5, VARINT)
        .varint(-62_167_219_200_001L))
        .hasMessageContaining("outside the years 0000 to 9999");
  }

  @Test
  void nanosBelowTheMillisecondOutsideZeroTo999999AreRejected() {
    for (long nanos : new long[] {-1, 1_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      assertRejected(envelope().tag(7, VARINT).varint(nanos))
          .hasMessageContaining("AgentMessage.timestamp_nanos_of_milli (field 7) is " + nanos)
          .hasMessageContaining("0 to 999999");
    }
    assertThat(codec.decode(envelope().tag(7, VARINT).varint(999_999).toByteArray()).timestamp())
        .isEqualTo(Instant.ofEpochSecond(0, 999_999));
    assertThat(codec.decode(create().string(1, "a").string(3, "heartbeat").tag(5, VARINT)
        .varint(-1).tag(7, VARINT).varint(1).toByteArray()).timestamp())
        .isEqualTo(Instant.parse("1969-12-31T23:59:59.999000001Z"));
    assertThat(codec.decode(envelope().tag(7, VARINT).varint(0).toByteArray()).timestamp())
        .isEqualTo(Instant.EPOCH);
  }

  @Test
  void invalidIdsAndTypeNamesAreRejected() {
    assertRejected(create().string(1, "architect 001").string(3, "heartbeat").tag(5, 0).varint(0))
        .hasMessageContaining("architect 001");
    assertRejected(envelope().string(2, "parser.*"))
        .hasMessageContaining("to_agent").hasMessageContaining("parser.*");
    assertRejected(create().string(1, "a").string(3, "status.update").tag(5, 0).varint(0))
        .hasMessageContaining("message_type").hasMessageContaining("status.update");
  }

  @Test
  void aFieldGivenTwiceIsRejected() {
    assertRejected(envelope().string(1, "b"))
        .hasMessageContaining("AgentMessage.from_agent (field 1) appears twice");
    assertRejected(envelope().tag(5, VARINT).varint(1))
        .hasMessageContaining("timestamp_millis (field 5) appears twice");
    assertRejected(envelope().tag(7, VARINT).varint(1).tag(7, VARINT).varint(2))
        .hasMessageContaining("timestamp_nanos_of_milli (field 7) appears twice");
    assertRejected(envelope().message(4, create().string(1, "k").string(1, "k2")
        .append(stringKind("v"))))
        .hasMessageContaining("Field.key (field 1) appears twice");
  }

  @Test
  void aKeyGivenTwiceInOneMapIsRejected() {
    assertRejected(envelope().field(4, "a", stringKind("1")).field(4, "a", stringKind("2")))
        .hasMessageContaining("key 'a' appears twice").hasMessageContaining("(at content)");
    WireBytes struct = create().field(1, "x", stringKind("1")).field(1, "x", stringKind("1"));
    assertRejected(envelope().field(4, "outer", create().message(7, struct)))
        .hasMessageContaining("key 'x' appears twice").hasMessageContaining("at content.outer");
  }

  @Test
  void aValueMustHaveExactlyOneKind() {
    assertRejected(envelope().field(4, "v", create()))
        .hasMessageContaining("a Field has no value of a kind").hasMessageContaining("at content.v");
    assertRejected(envelope().field(4, "v", stringKind("s").tag(4, VARINT).varint(2)))
        .hasMessageContaining("a Field has two values, string_value and int_value");
    WireBytes list = create().message(1, create().tag(3, VARINT).varint(1).tag(2, VARINT).varint(0));
    assertRejected(envelope().field(4, "l", create().message(8, list)))
        .hasMessageContaining("a Value has two values, bool_value and null_value")
        .hasMessageContaining("at content.l[0]");
    assertRejected(envelope().field(4, "l", create().message(8, create().message(1, create()))))
        .hasMessageContaining("a Value has no value of a kind")
        .hasMessageContaining("at content.l[0]");
  }

  @Test
  void aMissingKeyIsTheEmptyStringAsInProto3() {
    AgentMessage m = codec.decode(envelope().message(4, stringKind("v")).toByteArray());
    assertThat(m.content()).isEqualTo(Map.of("", "v"));
  }

  @Test
  void theKeyMayFollowTheValue() {
    AgentMessage m = codec.decode(envelope()
        .message(4, stringKind("v").string(1, "k"))
        .message(4, create().message(7, create().field(1, "in", stringKind("x"))).string(1, "s"))
        .toByteArray());
    assertThat(m.content()).isEqualTo(Map.of("k", "v", "s", Map.of("in", "x")));
  }

  @Test
  void aListInOneFormOnlyIsAccepted() {
    WireBytes mixed = create().string(2, "a").message(1, stringKind("b"));
    assertRejected(envelope().field(4, "l", create().message(8, mixed)))
        .hasMessageContaining("a ListValue mixes strings and values")
        .hasMessageContaining("at content.l[1]");
    WireBytes ragged = create().tag(4, LEN).varint(12).fixed64(0).raw(1, 2, 3, 4);
    assertRejected(envelope().field(4, "l", create().message(8, ragged)))
        .hasMessageContaining("ListValue.doubles (field 4) is packed in 12 bytes");
  }

  @Test
  void unpackedIntsAndDoublesAreReadAsProtobufRequires() {
    WireBytes ints = create().tag(3, VARINT).varint(2).tag(3, VARINT).varint(3)
        .tag(3, LEN).varint(1).varint(4); // zigzag: 1, -2, 2
    WireBytes doubles = create().tag(4, I64).fixed64(Double.doubleToLongBits(0.5))
        .tag(4, LEN).varint(8).fixed64(Double.doubleToLongBits(2.0));
    AgentMessage m = codec.decode(envelope()
        .field(4, "ints", create().message(8, ints))
        .field(4, "doubles", create().message(8, doubles)).toByteArray());
    assertThat(m.content()).isEqualTo(Map.of("ints", List.of(1L, -2L, 2L),
        "doubles", List.of(0.5, 2.0)));
  }

  @Test
  void anyNullValueNumberMeansNull() {
    AgentMessage m = codec.decode(envelope().field(4, "n", create().tag(2, VARINT).varint(5))
        .toByteArray());
    assertThat(m.content()).containsEntry("n", null);
  }

  @Test
  void nonFiniteDoublesAreRejected() {
    for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      WireBytes list = create().message(1, create().tag(5, I64).fixed64(Double.doubleToLongBits(d)));
      assertRejected(envelope().field(4, "xs", create().message(8, list)))
          .hasMessageContaining("a double is " + d).hasMessageContaining("at content.xs[0]");
      WireBytes packed = create().tag(4, LEN).varint(16).fixed64(Double.doubleToLongBits(1.0))
          .fixed64(Double.doubleToLongBits(d));
      assertRejected(envelope().field(4, "xs", create().message(8, packed)))
          .hasMessageContaining("a double is " + d).hasMessageContaining("at content.xs[1]");
      assertRejected(envelope().field(4, "x", create().tag(5, I64)
          .fixed64(Double.doubleToLongBits(d))))
          .hasMessageContaining("a double is " + d).hasMessageContaining("at content.x");
    }
  }

  @Test
  void invalidUtf8IsRejectedWhereverAStringIs() {
    byte[] bad = {'a', (byte) 0xC3, 'b'}; // a lead byte without its continuation
    assertRejected(create().bytes(1, bad).string(3, "heartbeat").tag(5, 0).varint(0))
        .hasMessageContaining("UTF-8").hasMessageContaining("from_agent (field 1)");
    assertRejected(envelope().field(4, "ok", create().message(7, create()
        .message(1, create().bytes(1, bad).append(stringKind("v"))))))
        .hasMessageContaining("UTF-8").hasMessageContaining("content.ok");
    assertRejected(envelope().field(4, "s", create().bytes(6, new byte[] {(byte) 0xFF})))
        .hasMessageContaining("UTF-8").hasMessageContaining("at content.s");
    // what a lenient decoder would turn into U+FFFD or a wrong char: overlong forms, an encoded
    // surrogate, a code point above U+10FFFF, a sequence cut short
    byte[][] lenientlyDecodable = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xE0, (byte) 0x80,
        (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90,
        (byte) 0x80, (byte) 0x80}, {'x', (byte) 0xE2, (byte) 0x82}};
    for (byte[] b : lenientlyDecodable) {
      assertRejected(envelope().field(4, "s", create().bytes(6, b)))
          .hasMessageContaining("UTF-8").hasMessageContaining("at content.s");
    }
  }

  // ------------------------------------------------------------------ wire-level damage

  @Test
  void aKnownFieldWithTheWrongWireTypeIsNamed() {
    assertRejected(create().tag(1, VARINT).varint(1))
        .hasMessageContaining(
            "AgentMessage.from_agent (field 1) has wire type varint, expected length-delimited");
    assertRejected(create().string(1, "a").string(3, "t").string(5, "2025-12-05T14:30:00Z"))
        .hasMessageContaining("AgentMessage.timestamp_millis (field 5) has wire type "
            + "length-delimited, expected varint");
    assertRejected(envelope().tag(4, I64).fixed64(1))
        .hasMessageContaining("AgentMessage.content (field 4) has wire type fixed64");
    assertRejected(envelope().string(7, "123456"))
        .hasMessageContaining("AgentMessage.timestamp_nanos_of_milli (field 7) has wire type "
            + "length-delimited, expected varint");
    assertRejected(envelope().field(4, "k", create().tag(6, VARINT).varint(1)))
        .hasMessageContaining("Field.string_value (field 6) has wire type varint")
        .hasMessageContaining("at content.k");
    assertRejected(envelope().field(4, "d", create().tag(5, VARINT).varint(1)))
        .hasMessageContaining("Field.double_value (field 5) has wire type varint, expected fixed64");
    assertRejected(envelope().message(4, create().tag(1, VARINT).varint(3)))
        .hasMessageContaining("Field.key (field 1) has wire type varint");
    assertRejected(envelope().field(4, "l", create().message(8, create().message(1,
        create().tag(7, VARINT).varint(0)))))
        .hasMessageContaining("Value.struct_value (field 7) has wire type varint")
        .hasMessageContaining("at content.l[0]");
  }

  @Test
  void invalidTagsAndWireTypesAreRejected() {
    assertRejected(new byte[] {0}).hasMessageContaining("invalid tag");
    assertRejected(envelope().tag(10, 6).raw(1)).hasMessageContaining("invalid wire type");
    assertRejected(envelope().tag(10, 7).raw(1)).hasMessageContaining("invalid wire type");
    assertRejected(envelope().tag(9, END_GROUP))
        .hasMessageContaining("end-group tag (field 9) without a matching start-group");
    assertRejected(envelope().tag(9, START_GROUP).tag(10, END_GROUP))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void aLengthPastTheEndIsReportedAsTruncationWithoutAllocatingIt() {
    // from_agent claims 2^31 - 1 bytes in a 10-byte message
    byte[] huge = {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 'a', 'b', 'c',
        'd'};
    assertThat(huge).hasSize(10);
    assertRejected(huge).hasMessageContaining("truncated");

    long allocated = allocatedBytes(() -> {
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> codec.decode(huge)).isInstanceOf(CodecException.class);
      }
    });
    assertThat(allocated).as("bytes allocated by 10 decodes claiming 2 GiB each")
        .isLessThan(1 << 20);

    // the same inside the content, in a string and in a nested message
    assertRejected(envelope().message(4, create().string(1, "k").tag(7, LEN).varint(0x7FFFFFFF)))
        .hasMessageContaining("truncated").hasMessageContaining("claims 2147483647 bytes");
    assertRejected(envelope().field(4, "k", create().tag(6, LEN).varint(Integer.MAX_VALUE - 1)))
        .hasMessageContaining("truncated");
    // a nested length longer than its enclosing message, though shorter than the input
    byte[] field = create().string(1, "k").message(7, create().field(1, "in", stringKind("v")))
        .toByteArray();
    assertThat(field[4]).isEqualTo((byte) 9); // the struct's length
    field[4] = 100;
    assertRejected(envelope().bytes(4, field).string(6, "x".repeat(200)))
        .hasMessageContaining("truncated").hasMessageContaining("claims 100 bytes where 9 remain");
  }

  @Test
  void aTagCutShortIsNotBlamedOnTheFieldBeforeIt() {
    assertRejected(create().string(1, "a").raw(0x80))
        .hasMessageContaining("truncated").hasMessageNotContaining("from_agent");
  }

  @Test
  void aNegativeLengthIsRejected() {
    assertRejected(create().tag(1, LEN).varint(-1).raw('a'))
        .hasMessageContaining("a length prefix is negative")
        .hasMessageContaining("from_agent (field 1)");
    assertRejected(envelope().tag(4, LEN).varint(-5))
        .hasMessageContaining("a length prefix is negative (-5)");
  }

  @Test
  void everyCutThroughAFieldIsReportedAsTruncated() {
    byte[] full = codec.encode(TestMessages.everyKind());
    Set<Integer> fieldBoundaries = topLevelFieldBoundaries(full);
    int cutsInsideFields = 0;
    for (int length = 0; length < full.length; length++) {
      byte[] prefix = Arrays.copyOf(full, length);
      if (fieldBoundaries.contains(length)) {
        // a protobuf message can end after any field: decodes, or lacks a required field
        decodeOrReject(prefix, "prefix of length " + length);
      } else {
        cutsInsideFields++;
        assertRejected(prefix).hasMessageContaining("truncated");
      }
    }
    assertThat(cutsInsideFields).isGreaterThan(full.length - 30);
  }

  private static Set<Integer> topLevelFieldBoundaries(byte[] bytes) {
    Set<Integer> boundaries = new HashSet<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      boundaries.add(0);
      while (in.readTag() != 0) {
        in.skipField(in.getLastTag());
        boundaries.add(in.getTotalBytesRead());
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return boundaries;
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButACodecException() {
    long seed = Long.getLong("agentbus.fuzz.seed", 20251205L);
    System.out.println("MalformedInputTest random bytes: seed " + seed
        + " (rerun with -Dagentbus.fuzz.seed=" + seed + ")");
    Random random = new Random(seed);
    int rejected = 0;
    for (int i = 0; i < 6_000; i++) {
      byte[] bytes = new byte[random.nextInt(200)];
      random.nextBytes(bytes);
      if (decodeOrReject(bytes, "random bytes (seed " + seed + ")")) {
        rejected++;
      }
    }
    // random bytes almost never hold the three required fields in valid form
    assertThat(rejected).as("random inputs rejected (seed %d)", seed).isGreaterThan(5_900);
  }

  @Test
  void damagedValidMessagesNeverEscapeAsAnythingButACodecException() {
    Random random = new Random(42);
    List<byte[]> originals = List.of(codec.encode(TestMessages.everyKind()),
        codec.encode(TestMessages.unknownType()),
        codec.encode(TestMessages.minimal().toBuilder()
            .content(TestMessages.nestedMaps(63)).build()));
    int rejected = 0;
    for (int i = 0; i < 6_000; i++) {
      byte[] bytes = originals.get(i % originals.size()).clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      try {
        codec.decode(bytes);
      } catch (CodecException expected) {
        rejected++;
      } catch (Throwable t) {
        fail("damaged message " + Arrays.toString(bytes) + " threw " + t, t);
      }
    }
    assertThat(rejected).as("damage is mostly detected").isGreaterThan(1_500);
  }

  // ------------------------------------------------------------------ depth

  @Test
  void contentIsReadToSixtyFourLevelsAndNoDeeper() {
    AgentMessage m = codec.decode(nestedLists(63).toByteArray());
    assertThat(m.content()).containsKey("nest");

    assertRejected(nestedLists(64))
        .hasMessageContaining("content is nested deeper than 64 levels")
        .hasMessageContaining("at content.nest" + "[0]".repeat(62));
  }

  @Test
  void absurdNestingIsRejectedWithoutAStackOverflow() {
    WireBytes deep = nestedLists(200_000);
    assertThat(deep.size()).isGreaterThan(800_000);
    assertRejected(deep).hasMessageContaining("nested deeper than 64 levels");

    WireBytes deepMaps = create();
    int levels = 100_000;
    // Value{struct_value{fields{key "m", value ...}}}, nested levels times
    // a Field's kind: struct_value{fields: Field{key "m", <kind>}}, nested levels times
    byte[] inner = stringKind("bottom").toByteArray();
    byte[][] prefixes = new byte[levels][];
    int size = inner.length; // of the innermost kind
    for (int i = levels - 1; i >= 0; i--) {
      WireBytes key = create().string(1, "m");
      int fieldSize = key.size() + size;
      WireBytes fieldHead = create().tag(1, LEN).varint(fieldSize);
      int structSize = fieldHead.size() + fieldSize;
      WireBytes structHead = create().tag(7, LEN).varint(structSize);
      prefixes[i] = concat(structHead.toByteArray(), fieldHead.toByteArray(), key.toByteArray());
      size = structHead.size() + structSize;
    }
    WireBytes bytes = envelope().tag(4, LEN);
    WireBytes entryHead = create().string(1, "deep");
    bytes.varint(entryHead.size() + size);
    bytes.raw(toInts(entryHead.toByteArray()));
    for (byte[] p : prefixes) {
      bytes.raw(toInts(p));
    }
    bytes.raw(toInts(inner));
    assertRejected(bytes).hasMessageContaining("nested deeper than 64 levels")
        .hasMessageContaining("at content.deep.m.m.m");
  }

  @Test
  void deeplyNestedUnknownGroupsAreRejectedWithoutAStackOverflow() {
    WireBytes groups = envelope();
    for (int i = 0; i < 100_000; i++) {
      groups.tag(100, START_GROUP);
    }
    assertRejected(groups).hasMessageContaining("unknown fields are nested too deeply");
  }

  @Test
  void shallowUnknownGroupsAreSkippedLikeAnyUnknownField() {
    WireBytes bytes = envelope().tag(100, START_GROUP).tag(1, VARINT).varint(7)
        .tag(2, START_GROUP).tag(2, END_GROUP).tag(100, END_GROUP);
    assertThatCode(() -> codec.decode(bytes.toByteArray())).doesNotThrowAnyException();
  }

  /** content {"nest": [[[..."x"...]]]} with {@code lists} lists: content depth lists + 1. */
  private static WireBytes nestedLists(int lists) {
    byte[] leaf = stringKind("x").toByteArray();
    List<byte[]> heads = new ArrayList<>(lists);
    int size = leaf.length; // of the innermost kind
    for (int i = 0; i < lists; i++) {
      // list_value{values: Value{<inner kind>}}
      WireBytes valueHead = create().tag(1, LEN).varint(size);
      int listSize = valueHead.size() + size;
      WireBytes listHead = create().tag(8, LEN).varint(listSize);
      heads.add(concat(listHead.toByteArray(), valueHead.toByteArray()));
      size = listHead.size() + listSize;
    }
    WireBytes entryHead = create().string(1, "nest");
    WireBytes bytes = envelope().tag(4, LEN).varint(entryHead.size() + size)
        .raw(toInts(entryHead.toByteArray()));
    for (int i = heads.size() - 1; i >= 0; i--) {
      bytes.raw(toInts(heads.get(i)));
    }
    return bytes.raw(toInts(leaf));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  private static int[] toInts(byte[] bytes) {
    int[] ints = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ints[i] = bytes[i] & 0xFF;
    }
    return ints;
  }

  private static long allocatedBytes(Runnable r) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    r.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }
}
