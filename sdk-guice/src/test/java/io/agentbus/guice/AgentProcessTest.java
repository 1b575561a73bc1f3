package io.agentbus.guice;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.test.nats.NatsProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent processes as an operator meets them: a JVM running {@link ProbeMain} (what the archetype
 * generates), started, asked to stop with SIGTERM and watched from outside.
 */
class AgentProcessTest {
  /** The drain timeout the probes run with. */
  private static final Duration DRAIN = Duration.ofSeconds(1);
  /**
   * How long a stop may take with that drain timeout: the host waits up to three drain timeouts
   * for the agent, up to three more for the bus, and the transport gives up on an unreachable
   * server one second (STOP_MARGIN) after that; plus JVM exit.
   */
  private static final Duration STOP_BOUND = DRAIN.multipliedBy(6).plusSeconds(1 + 4);

  @TempDir Path dir;

  private Process launch(Map<String, String> env) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ProbeMain.class.getName());
    pb.environment().keySet().removeIf(k -> k.startsWith("AGENTBUS_") || k.equals("NATS_URL"));
    pb.environment().putAll(env);
    pb.redirectError(dir.resolve("stderr.txt").toFile());
    return pb.start();
  }

  private List<String> stderr() throws IOException {
    return Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
  }

  /** Reads the process's output until it says it runs; fails with its stderr otherwise. */
  private void awaitRunning(Process p) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals(ProbeMain.RUNNING)) {
        return;
      }
    }
    throw new AssertionError("the agent process ended before running; stderr:\n"
        + String.join("\n", stderr()));
  }

  @Test
  void anAgentStoppedWhileItsServerIsGoneExitsWithinItsDrainBound() throws Exception {
    try (NatsProcess server = NatsProcess.create("stop-probe")) {
      server.start();
      Process agent = launch(Map.of("AGENTBUS_TRANSPORT", "nats", "NATS_URL", server.url(),
          "AGENTBUS_DRAIN_TIMEOUT", DRAIN.toMillis() + "ms"));
      try {
        awaitRunning(agent);
        server.kill(); // the client now reconnects, forever by default

        long start = System.nanoTime();
        agent.destroy(); // SIGTERM: the host's shutdown hook stops the agent and drains the bus
        boolean exited = agent.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(exited).as("exited within %s of SIGTERM; stderr:\n%s", STOP_BOUND,
            String.join("\n", stderr())).isTrue();
        System.out.println("stopped in " + tookMillis + " ms with the server gone");
      } finally {
        agent.destroyForcibly();
      }
    }
  }

  @Test
  void anAgentThatCannotReachItsServerSaysSoInOneLineAndExitsWithOne() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once the socket is closed
    }
    String url = "nats://127.0.0.1:" + closedPort;
    Process agent = launch(Map.of("AGENTBUS_TRANSPORT", "nats", "NATS_URL", url,
        "AGENTBUS_NATS_CONNECT_TIMEOUT", "500ms"));
    try {
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
      assertThat(agent.exitValue()).isEqualTo(1);
      List<String> err = stderr();
      assertThat(err).as("stderr").anySatisfy(l -> assertThat(l)
          .startsWith("ProbeAgent did not start: ").contains(url));
      assertThat(String.join("\n", err)).as("no Guice stack trace")
          .doesNotContain("ProvisionException").doesNotContain("1 error");
    } finally {
      agent.destroyForcibly();
    }
  }

  @Test
  void anUnknownTransportIsNamedWithTheOnesThatExist() throws Exception {
    Process agent = launch(Map.of("AGENTBUS_TRANSPORT", "kafka"));
    try {
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
      assertThat(agent.exitValue()).isEqualTo(1);
      assertThat(stderr()).anySatisfy(l -> assertThat(l)
          .startsWith("ProbeAgent did not start: ").contains("kafka").contains("inmemory")
          .contains("nats"));
    } finally {
      agent.destroyForcibly();
    }
  }
}
