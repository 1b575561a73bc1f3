package ${package};

import io.agentbus.guice.AgentApplication;

/**
 * Runs ${agentClassName} until the JVM is asked to stop (Ctrl-C, SIGTERM): then it announces that
 * it goes offline, its handlers finish, and the bus closes. Configuration comes from system
 * properties, environment variables and {@code agentbus.properties}; a process that cannot start
 * says why in one line and exits with status 1.
 *
 * <pre>
 * mvn compile exec:java                                                     # in memory
 * AGENTBUS_TRANSPORT=nats NATS_URL=nats://127.0.0.1:4222 mvn compile exec:java   # on NATS
 * </pre>
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    AgentApplication.run(${agentClassName}.class);
  }
}
