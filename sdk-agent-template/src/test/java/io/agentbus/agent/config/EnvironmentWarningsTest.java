package io.agentbus.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment variables that would otherwise be ignored in silence are warned about. */
class EnvironmentWarningsTest {

  @Test
  void aMisspeltAgentbusVariableIsWarnedAboutWithTheNearestKnownOne() {
    String log = warningsFor(Map.of("AGENTBUS_TRANSPOT", "nats"));

    assertThat(log).contains("Unknown environment variable AGENTBUS_TRANSPOT is ignored"
        + " (did you mean AGENTBUS_TRANSPORT?)");
  }

  @Test
  void knownVariablesAndThoseOfTheTransportsAreNot() {
    String log = warningsFor(Map.of("AGENTBUS_CODEC", "json",
        "AGENTBUS_INMEMORY_ANYTHING", "x", "AGENTBUS_INTEROP_PYTHON", "/usr/bin/python3",
        "AGENTBUS_CLI_JAVA_OPTS", "-Xmx64m"));

    assertThat(log).doesNotContain("Unknown environment variable");
  }

  @Test
  void aNatsUrlWithoutTheNatsTransportIsWarnedAbout() {
    String log = warningsFor(Map.of("NATS_URL", "nats://127.0.0.1:4222"));

    assertThat(log).contains("environment variable NATS_URL is set (nats://127.0.0.1:4222) but"
        + " agentbus.transport is inmemory (from built-in default): this process does not connect to NATS."
        + " Set AGENTBUS_TRANSPORT=nats");
  }

  @Test
  void aNatsUrlWithTheNatsTransportIsNot() {
    String log = warningsFor(Map.of("NATS_URL", "nats://127.0.0.1:4222",
        "AGENTBUS_TRANSPORT", "inmemory"));
    assertThat(log).contains("agentbus.transport is inmemory (from environment variable"
        + " AGENTBUS_TRANSPORT)");

    assertThat(warningsFor(Map.of())).doesNotContain("does not connect to NATS");
  }

  /** What loading the configuration with {@code env} logs (slf4j-simple writes to System.err). */
  private static String warningsFor(Map<String, String> env) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      AgentBusConfig.loader().systemProperties(Map.of()).environment(env)
          .classpathResource(null).load();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
