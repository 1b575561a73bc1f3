package io.agentbus.codec.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.config.Settings;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Providers;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtobufCodecProviderTest {

  @Test
  void configurationFindsItByNameAndItCreatesTheProtobufCodec() {
    // sdk-codec-json is a test dependency here: both providers are found, each by its name
    assertThat(Providers.codecs()).containsOnlyKeys("json", "protobuf");
    Codec codec = Providers.codec("protobuf").create(Settings.empty());
    assertThat(codec).isInstanceOf(ProtobufCodec.class);
    assertThat(codec.contentType()).isEqualTo(ProtobufCodec.CONTENT_TYPE);

    AgentMessage m = AgentMessage.builder().fromAgent("parser-dev-001")
        .messageType(MessageType.TASK_COMPLETE).content(Map.of("task", "parse")).build();
    assertThat(codec.recognizes(codec.encode(m))).isTrue();
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
  }
}
