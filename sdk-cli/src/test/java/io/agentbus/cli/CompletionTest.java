package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shell completion is generated from the commands themselves, so it knows every one. */
class CompletionTest {
  @Test
  void generatesABashAndZshCompletionScriptNamingEveryCommandAndOption() {
    Cli.Result r = new Cli(Map.of()).run("generate-completion");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("complete -F _complete_agentbus", "agents", "tail", "send",
        "request", "dlq", "queues", "dashboard", "--watch", "--raw", "--timeout", "replay",
        "purge");
  }

  @Test
  void anUnknownCommandIsAUsageErrorNamingTheCommands() {
    Cli.Result r = new Cli(Map.of()).run("agnets");

    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("Unmatched argument", "agnets", "agents");
  }
}
