package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentbus.test.nats.NatsServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentbus tail} in its own JVM, stopped with SIGINT as Ctrl-C stops it: it ends with the
 * shell's 130, after printing what it saw, and leaves no stack trace.
 */
class CtrlCTest {
  @RegisterExtension static final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  void tailStopsCleanlyOnSigint(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path err = dir.resolve("stderr.txt");
    Process tail = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        AgentBusCli.class.getName(), "tail", "--server", nats.url())
        .redirectError(err.toFile())
        .start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(tail.isAlive()).as("tail runs: %s", Files.readString(err)).isTrue();
        assertThat(Files.readString(err)).contains("listening on");
      });

      Cli.Result sent = Cli.on(nats.url()).run("send", "architect-001", "question", "q=1");
      assertThat(sent.exitCode()).as(sent.err()).isZero();
      String line = out.readLine();
      assertThat(line).contains("direct", "agentbus-cli -> architect-001 question");

      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(tail.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(tail.waitFor(15, TimeUnit.SECONDS)).as("tail ended after SIGINT").isTrue();
    } finally {
      tail.destroyForcibly();
    }
    assertThat(tail.exitValue()).isEqualTo(130);
    List<String> errLines = Files.readAllLines(err);
    assertThat(errLines).contains("agentbus tail: 1 message(s) on orchestrator.>");
    assertThat(String.join("\n", errLines)).doesNotContain("Exception");
  }
}
