package io.agentbus.cli;

import org.jspecify.annotations.Nullable;

/**
 * What a subject of the namespace says about a message: its kind (broadcast, direct, team, queue,
 * deadletter, other) and the agent, team or queue it is addressed to.
 */
record Route(String kind, @Nullable String target) {
  static Route of(String namespace, String subject) {
    String prefix = namespace + ".";
    if (!subject.startsWith(prefix)) {
      return new Route("other", null);
    }
    String[] t = subject.substring(prefix.length()).split("\\.");
    return switch (t[0]) {
      case "broadcast" -> new Route("broadcast", null);
      case "agent" -> new Route("direct", t.length > 1 ? t[1] : null);
      case "team" -> new Route("team", t.length > 1 ? t[1] : null);
      case "queue" -> new Route("queue", t.length > 1 ? t[1] : null);
      case "deadletter" -> new Route("deadletter", null);
      default -> new Route("other", null);
    };
  }
}
