package io.agentbus.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Exits a real child JVM with a running agent, with and without the shutdown hook. */
class ShutdownHookTest {

  private static List<String> runChild(boolean hook) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        ShutdownHookMain.class.getName(), Boolean.toString(hook))
        .redirectErrorStream(true)
        .start();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(exited).as("child exited; output:%n%s", out).isTrue();
    assertThat(p.exitValue()).as("exit code; output:%n%s", out).isZero();
    return out.lines().toList();
  }

  @Test
  void withTheHookTheAgentStopsAndAnnouncesOfflineWhenTheJvmExits() throws Exception {
    List<String> out = runChild(true);
    assertThat(out).containsSubsequence(
        "published orchestrator.broadcast.heartbeat {status=alive}",
        "running",
        "transition RUNNING->STOPPING",
        "published orchestrator.broadcast.status_update {status=offline, reason=stopped}",
        "transition STOPPING->TERMINATED");
  }

  @Test
  void withoutTheHookNothingIsAnnounced() throws Exception {
    List<String> out = runChild(false);
    assertThat(out).contains("running");
    assertThat(out).noneMatch(l -> l.contains("status_update"));
    assertThat(out).noneMatch(l -> l.contains("STOPPING"));
  }
}
