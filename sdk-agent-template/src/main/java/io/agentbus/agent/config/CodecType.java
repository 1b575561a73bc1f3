package io.agentbus.agent.config;

/** The codecs {@link ConfigKey#CODEC} selects, by their configuration names. */
public enum CodecType {
  /** The seed's JSON wire format. */
  JSON("json"),
  /** Protocol Buffers; JSON is still decoded, for the seed's agents. */
  PROTOBUF("protobuf");

  private final String configName;

  CodecType(String configName) {
    this.configName = configName;
  }

  /** The value of {@code agentbus.codec} that selects this codec. */
  public String configName() {
    return configName;
  }
}
