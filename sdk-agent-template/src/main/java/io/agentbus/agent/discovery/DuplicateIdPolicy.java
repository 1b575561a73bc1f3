package io.agentbus.agent.discovery;

/**
 * What an agent does when, while starting, another live agent already answers discovery under
 * its id (in this process or another, on the same bus or NATS server): two agents with one id
 * would both handle every message addressed to it.
 */
public enum DuplicateIdPolicy {
  /** The start fails with an error naming the id and the other instance (the default). */
  REFUSE,
  /** The agent starts anyway and an ERROR log names the id and the other instance. */
  WARN;

  /**
   * The policy named {@code name}, case-insensitively: {@code refuse} or {@code warn}.
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static DuplicateIdPolicy parse(String name) {
    for (DuplicateIdPolicy p : values()) {
      if (p.name().equalsIgnoreCase(name.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("Unknown duplicate-id policy '" + name
        + "'; valid values: refuse, warn");
  }
}
