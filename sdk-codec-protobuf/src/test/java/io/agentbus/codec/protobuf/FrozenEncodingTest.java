package io.agentbus.codec.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes written by the first version of the schema, committed once, decode forever: whatever the
 * schema becomes, these must keep passing unchanged (see the rules in agent_message.proto).
 */
class FrozenEncodingTest {
  private final ProtobufCodec codec = ProtobufCodec.create();

  static Stream<Arguments> fixtures() {
    return Stream.of(
        Arguments.of(FrozenEncoding.FULL, FrozenEncoding.full()),
        Arguments.of(FrozenEncoding.MINIMAL, FrozenEncoding.minimal()),
        Arguments.of(FrozenEncoding.UNKNOWN_TYPE, FrozenEncoding.unknownType()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void version1BytesDecodeToTheMessageTheyWereWrittenFrom(String file, AgentMessage expected)
      throws IOException {
    AgentMessage decoded = codec.decode(read(file));

    assertThat(decoded).isEqualTo(expected);
    assertThat(decoded.messageType().isKnown()).isEqualTo(expected.messageType().isKnown());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void theGeneratedCodeOfTheCurrentSchemaReadsThemToo(String file, AgentMessage expected)
      throws IOException {
    assertThat(GeneratedMapping.fromGenerated(
        io.agentbus.codec.protobuf.v1.AgentMessage.parseFrom(read(file)))).isEqualTo(expected);
  }

  /**
   * Not a compatibility requirement (readers must accept any valid encoding), but an encoder that
   * starts writing different bytes for the same message should be a decision, not an accident.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void theEncoderStillWritesTheSameBytes(String file, AgentMessage expected) throws IOException {
    assertThat(codec.encode(expected)).isEqualTo(read(file));
  }

  private static byte[] read(String file) throws IOException {
    try (InputStream in = FrozenEncodingTest.class.getClassLoader()
        .getResourceAsStream(FrozenEncoding.DIRECTORY + file)) {
      if (in == null) {
        throw new IOException("Missing frozen fixture " + FrozenEncoding.DIRECTORY + file);
      }
      return in.readAllBytes();
    }
  }
}
