package io.agentbus.codec.protobuf;

import static io.agentbus.codec.protobuf.GeneratedMapping.fromGenerated;
import static io.agentbus.codec.protobuf.GeneratedMapping.toGenerated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.UnknownFieldSet;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.codec.protobuf.testing.FutureAgentMessage;
import io.agentbus.codec.protobuf.testing.FutureRouting;
import io.agentbus.codec.protobuf.v1.Field;
import io.agentbus.codec.protobuf.v1.ListValue;
import io.agentbus.codec.protobuf.v1.Struct;
import io.agentbus.codec.protobuf.v1.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The codec speaks {@code agentbus/v1/agent_message.proto} exactly: checked against the classes
 * protoc generates from it, which is what a peer in another language uses.
 */
class SchemaConformanceTest {
  private final ProtobufCodec codec = ProtobufCodec.create();

  static Stream<AgentMessage> messages() {
    return Stream.of(TestMessages.everyKind(), TestMessages.minimal(),
        TestMessages.unknownType(),
        TestMessages.minimal().toBuilder().content(TestMessages.nestedLists(64)).build(),
        TestMessages.minimal().toBuilder().content(TestMessages.nestedMaps(63)).build(),
        lengthBoundaries(), TestMessages.minimal().toBuilder().content(java.util.Map.of(
            "x".repeat(127), "k127", "y".repeat(128), "k128", "\u20AC".repeat(43), "k129b"))
            .correlationId("c".repeat(300)).build(),
        TestMessages.minimal().toBuilder()
            .timestamp(Instant.parse("2025-12-05T14:30:30.123456Z")).build(),
        TestMessages.everyKind().toBuilder()
            .timestamp(Instant.parse("1969-12-31T23:59:59.999999999Z")).build());
  }

  /**
   * Strings and nested messages on both sides of the lengths whose prefix takes one, two or three
   * bytes (128, 16,384), in ASCII and in multi-byte text whose byte length passes 128 while its
   * char count does not: the encoder leaves one byte for a length and moves the bytes up when it
   * needs more.
   */
  static AgentMessage lengthBoundaries() {
    java.util.Map<String, Object> content = new java.util.LinkedHashMap<>();
    for (int n : new int[] {0, 1, 125, 126, 127, 128, 129, 16_381, 16_383, 16_384, 16_385}) {
      content.put("ascii-" + n, "a".repeat(n));
    }
    for (int n : new int[] {42, 43, 63, 64, 127, 128}) {
      content.put("euro-" + n, "\u20AC".repeat(n)); // 3 bytes each
      content.put("e-acute-" + n, "\u00E9".repeat(n)); // 2 bytes each
      content.put("emoji-" + n, "\uD83D\uDE00".repeat(n / 2)); // 4 bytes per 2 chars
    }
    content.put("nested", java.util.Map.of("inner", "b".repeat(120),
        "deeper", java.util.Map.of("list", java.util.List.of("c".repeat(100), "d".repeat(100)))));
    java.util.List<Object> ints = new java.util.ArrayList<>();
    java.util.List<Object> strings = new java.util.ArrayList<>();
    java.util.List<Object> mixed = new java.util.ArrayList<>();
    for (long i = 0; i < 3000; i++) {
      ints.add(i * 1_000_003L - 1_500_000_000L);
      strings.add("s" + i);
      mixed.add(i % 2 == 0 ? (Object) ("m" + i) : (Object) i);
    }
    content.put("ints", ints);
    content.put("strings", strings);
    content.put("mixed", mixed);
    content.put("k".repeat(200), java.util.List.of(1.5, -0.0, 3.25));
    return TestMessages.minimal().toBuilder().toAgent("t".repeat(130)).content(content).build();
  }

  @ParameterizedTest
  @MethodSource("messages")
  void writesTheBytesProtocGeneratedCodeWrites(AgentMessage m) {
    assertThat(codec.encode(m)).isEqualTo(toGenerated(m).toByteArray());
  }

  /**
   * Each thread reuses one encoder buffer: a message written after a longer one (or after one too
   * large for the buffer to be kept) must not carry its bytes, and threads must not share one.
   */
  @Test
  void aReusedEncoderWritesEveryMessageAfreshOnEveryThread() throws Exception {
    List<AgentMessage> all = messages().collect(Collectors.toList());
    List<byte[]> expected = new ArrayList<>();
    for (AgentMessage m : all) {
      expected.add(toGenerated(m).toByteArray());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        runs.add(pool.submit(() -> {
          int checked = 0;
          for (int round = 0; round < 20; round++) {
            for (int i = 0; i < all.size(); i++) {
              int k = (i * 3 + offset + round) % all.size(); // a different order on each thread
              assertThat(codec.encode(all.get(k))).isEqualTo(expected.get(k));
              checked++;
            }
          }
          return checked;
        }));
      }
      for (Future<Integer> run : runs) {
        assertThat(run.get(60, TimeUnit.SECONDS)).isEqualTo(20 * all.size());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("messages")
  void generatedCodeReadsWhatTheCodecWrites(AgentMessage m) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(codec.encode(m));
    // 64 levels of content are 2 x 64 message levels (Field and Struct, or Value and ListValue);
    // protobuf's default limit is 100, as the schema's comments warn peers
    in.setRecursionLimit(130);
    assertThat(fromGenerated(io.agentbus.codec.protobuf.v1.AgentMessage.parseFrom(in)))
        .isEqualTo(m);
  }

  @Test
  void generatedCodeWithItsDefaultRecursionLimitReadsContentFortyLevelsDeep() throws Exception {
    AgentMessage m = TestMessages.minimal().toBuilder()
        .content(Map.of("nest", TestMessages.nestedLists(40).get("nest"),
            "maps", TestMessages.nestedMaps(40)))
        .build();
    assertThat(fromGenerated(
        io.agentbus.codec.protobuf.v1.AgentMessage.parseFrom(codec.encode(m)))).isEqualTo(m);
  }

  @ParameterizedTest
  @MethodSource("messages")
  void theCodecReadsWhatGeneratedCodeWrites(AgentMessage m) {
    assertThat(codec.decode(toGenerated(m).toByteArray())).isEqualTo(m);
  }

  @Test
  void fieldNumbersNamesAndWireTypesMatchTheSchema() {
    checkSchema(Wire.AGENT_MESSAGE, io.agentbus.codec.protobuf.v1.AgentMessage.getDescriptor());
    checkSchema(Wire.VALUE, Value.getDescriptor());
    checkSchema(Wire.STRUCT, Struct.getDescriptor());
    checkSchema(Wire.LIST, ListValue.getDescriptor());
    checkSchema(Wire.FIELD, Field.getDescriptor());
    assertThat(io.agentbus.codec.protobuf.v1.AgentMessage.getDescriptor()
        .findFieldByName("content").getMessageType()).isEqualTo(Field.getDescriptor());
    assertThat(Struct.getDescriptor().findFieldByName("fields").getMessageType())
        .isEqualTo(Field.getDescriptor());
    assertThat(ListValue.getDescriptor().findFieldByName("values").getMessageType())
        .isEqualTo(Value.getDescriptor());
  }

  private static void checkSchema(Wire.Schema schema, Descriptor descriptor) {
    for (int n = 1; n <= schema.lastField(); n++) {
      if (schema.fieldName(n) != null) {
        assertThat(descriptor.findFieldByNumber(n)).as("%s field %d", descriptor.getFullName(), n)
            .isNotNull();
      }
    }
    assertThat(schema.lastField()).as(descriptor.getFullName())
        .isEqualTo(descriptor.getFields().stream().mapToInt(FieldDescriptor::getNumber).max()
            .orElseThrow());
    for (FieldDescriptor f : descriptor.getFields()) {
      assertThat(schema.fieldName(f.getNumber())).as(f.getFullName()).isEqualTo(f.getName());
      assertThat(schema.wireType(f.getNumber())).as(f.getFullName())
          .isEqualTo(f.getLiteType().getWireType());
    }
  }

  @Test
  void aNewerPeersExtraFieldsAreSkipped() {
    FutureAgentMessage future = FutureAgentMessage.newBuilder()
        .setTraceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .setFromAgent("planner-007")
        .addHopCounts(3).addHopCounts(-1)
        .setMessageType("capability_offer")
        .addContent(GeneratedMapping.toField("capabilities", List.of("parse", "plan")))
        .setRouting(FutureRouting.newBuilder().setRegion("eu-west").addVia("gateway-1"))
        .setTimestampMillis(Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli())
        .setChecksum(0xCAFEBABE)
        .setSequence(Long.MIN_VALUE)
        .setCorrelationId("")
        .build();

    AgentMessage m = codec.decode(future.toByteArray());

    assertThat(m).isEqualTo(TestMessages.unknownType());
    assertThat(m.messageType().isKnown()).isFalse();
  }

  @Test
  void unknownFieldsInsideTheContentAreSkippedToo() {
    UnknownFieldSet extra = UnknownFieldSet.newBuilder()
        .addField(20, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
        .addField(21, UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("later")).build())
        .build();
    Value string = Value.newBuilder().setStringValue("x").setUnknownFields(extra).build();
    Field list = Field.newBuilder().setKey("list").setListValue(
        ListValue.newBuilder().addValues(string).setUnknownFields(extra)).build();
    Field struct = Field.newBuilder().setKey("struct").setStructValue(Struct.newBuilder()
        .addFields(Field.newBuilder().setKey("s").setStringValue("x").setUnknownFields(extra))
        .setUnknownFields(extra)).setUnknownFields(extra).build();
    byte[] bytes = toGenerated(TestMessages.minimal()).toBuilder()
        .addContent(list).addContent(struct).build().toByteArray();

    assertThat(codec.decode(bytes).content())
        .isEqualTo(Map.of("list", List.of("x"), "struct", Map.of("s", "x")));
  }

  @Test
  void aValueOfAKindThisVersionDoesNotKnowIsRejectedNotGuessed() {
    // a newer peer's Field with only a kind numbered 9 ("bytes_value", say)
    UnknownFieldSet bytesValue = UnknownFieldSet.newBuilder()
        .addField(9, UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2})).build())
        .build();
    Field future = Field.newBuilder().setKey("blob").setUnknownFields(bytesValue).build();
    byte[] bytes = toGenerated(TestMessages.minimal()).toBuilder()
        .addContent(future).build().toByteArray();

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("a Field has no value of a kind this version knows")
        .hasMessageContaining("content.blob");

    Field inList = Field.newBuilder().setKey("list").setListValue(ListValue.newBuilder()
        .addValues(Value.newBuilder().setIntValue(1))
        .addValues(Value.newBuilder().setUnknownFields(bytesValue))).build();
    byte[] listBytes = toGenerated(TestMessages.minimal()).toBuilder()
        .addContent(inList).build().toByteArray();
    assertThatThrownBy(() -> codec.decode(listBytes))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("a Value has no value of a kind this version knows")
        .hasMessageContaining("content.list[1]");
  }

  @Test
  void aMessageFromGeneratedCodeWithAnUnknownTypeKeepsItsName() {
    byte[] bytes = toGenerated(TestMessages.minimal()).toBuilder()
        .setMessageType("negotiation_round").build().toByteArray();
    MessageType t = codec.decode(bytes).messageType();
    assertThat(t.wireName()).isEqualTo("negotiation_round");
    assertThat(t.isKnown()).isFalse();
  }
}
