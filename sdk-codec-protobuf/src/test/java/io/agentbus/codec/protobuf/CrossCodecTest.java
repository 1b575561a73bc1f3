package io.agentbus.codec.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.SeedFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * JSON and Protobuf agents exchange the same messages: what one codec decodes, the other carries
 * unchanged, and Protobuf does it in at least a quarter fewer bytes for the seed's messages.
 */
class CrossCodecTest {
  private final JsonCodec json = JsonCodec.create();
  private final ProtobufCodec protobuf = ProtobufCodec.create();

  @TestFactory
  Stream<DynamicTest> seedMessagesCrossFromJsonToProtobufAndBackUnchanged() {
    return SeedFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      AgentMessage fromPython = json.decode(f.bytes());
      assertThat(fromPython).isEqualTo(f.expected());

      byte[] proto = protobuf.encode(fromPython);
      AgentMessage viaProtobuf = protobuf.decode(proto);

      assertThat(viaProtobuf).isEqualTo(fromPython);
      assertThat(json.encode(viaProtobuf)).as("JSON re-encoded after a Protobuf hop")
          .isEqualTo(json.encode(fromPython));
    }));
  }

  @TestFactory
  Stream<DynamicTest> seedMessagesAreAtLeastAQuarterSmallerInProtobuf() {
    return SeedFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
      AgentMessage m = json.decode(f.bytes());
      int jsonSize = json.encode(m).length;
      int protobufSize = protobuf.encode(m).length;

      assertThat(protobufSize)
          .as("%s: Protobuf %d bytes vs JSON %d bytes", f.name(), protobufSize, jsonSize)
          .isLessThanOrEqualTo(jsonSize * 3 / 4);
    }));
  }

  @Test
  void randomContentCrossesBothWaysLosslessly() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      AgentMessage m = AgentMessage.builder()
          .fromAgent("agent-" + i)
          .toAgent(random.nextBoolean() ? "peer-" + i : null)
          .messageType(random.nextInt(4) == 0 ? MessageType.of("future_type_" + i)
              : MessageType.values().get(random.nextInt(MessageType.values().size())))
          .content(randomMap(random, 1))
          .timestamp(Instant.ofEpochMilli(random.nextLong() % 62_135_596_800_000L)) // years 1-3939
          .correlationId(random.nextBoolean() ? "c-" + random.nextLong() : null)
          .build();

      AgentMessage jsonThenProtobuf = protobuf.decode(protobuf.encode(json.decode(json.encode(m))));
      AgentMessage protobufThenJson = json.decode(json.encode(protobuf.decode(protobuf.encode(m))));

      assertThat(jsonThenProtobuf).isEqualTo(m);
      assertThat(protobufThenJson).isEqualTo(m);
      assertThat(new ArrayList<>(protobufThenJson.content().keySet()))
          .isEqualTo(new ArrayList<>(m.content().keySet()));
    }
  }

  private static Map<String, @Nullable Object> randomMap(Random random, int depth) {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    int n = random.nextInt(depth == 1 ? 8 : 4);
    for (int i = 0; i < n; i++) {
      map.put(randomString(random), randomValue(random, depth));
    }
    return map;
  }

  private static @Nullable Object randomValue(Random random, int depth) {
    int kind = random.nextInt(depth < 6 ? 9 : 7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return random.nextBoolean();
      case 2: // integers of every size, with the extremes more often than chance would give
        switch (random.nextInt(4)) {
          case 0:
            return random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
          case 1:
            return (long) random.nextInt(100) - 50;
          default:
            return random.nextLong() >> random.nextInt(64);
        }
      case 3: // doubles, integral ones included
        return random.nextBoolean() ? (double) (random.nextInt(2000) - 1000)
            : Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)
                * (random.nextBoolean() ? 1 : -1);
      case 4:
      case 5:
      case 6:
        return randomString(random);
      case 7:
        List<@Nullable Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(randomValue(random, depth + 1));
        }
        return list;
      default:
        return randomMap(random, depth + 1);
    }
  }

  private static String randomString(Random random) {
    String[] pieces = {"", "a", "task_model", "é", "😀", "日本", "\u0000", "\"", "\\", " ", "\n"};
    StringBuilder sb = new StringBuilder();
    for (int i = random.nextInt(4); i > 0; i--) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }
}
