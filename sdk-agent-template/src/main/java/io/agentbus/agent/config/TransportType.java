package io.agentbus.agent.config;

/** The transports {@link ConfigKey#TRANSPORT} selects, by their configuration names. */
public enum TransportType {
  /** Everything in one JVM, no server: {@code InMemoryTransport}. */
  INMEMORY("inmemory"),
  /** A NATS server: {@code NatsTransport}. */
  NATS("nats");

  private final String configName;

  TransportType(String configName) {
    this.configName = configName;
  }

  /** The value of {@code agentbus.transport} that selects this transport. */
  public String configName() {
    return configName;
  }
}
