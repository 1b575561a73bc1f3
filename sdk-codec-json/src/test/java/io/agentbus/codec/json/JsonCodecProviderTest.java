package io.agentbus.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.MessageType;
import io.agentbus.config.Settings;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Providers;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecProviderTest {

  @Test
  void configurationFindsItByNameAndItCreatesTheJsonCodec() {
    assertThat(Providers.codecs()).containsOnlyKeys("json");
    Codec codec = Providers.codec("JSON").create(Settings.empty());
    assertThat(codec).isInstanceOf(JsonCodec.class);
    assertThat(codec.contentType()).isEqualTo(JsonCodec.CONTENT_TYPE);

    AgentMessage m = AgentMessage.builder().fromAgent("parser-dev-001")
        .messageType(MessageType.TASK_COMPLETE).content(Map.of("task", "parse")).build();
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
  }

  @Test
  void aCodecThisModuleLacksIsReportedWithWhatWasFound() {
    assertThatThrownBy(() -> Providers.codec("protobuf"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("found [json]")
        .hasMessageContaining("io.agentbus:sdk-codec-protobuf");
  }
}
