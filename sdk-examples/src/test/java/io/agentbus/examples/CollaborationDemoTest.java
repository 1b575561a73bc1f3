package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.GatherResult;
import io.agentbus.agent.supervision.SupervisedAgent;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the collaboration demo in memory and checks each pattern did what the page says. */
class CollaborationDemoTest {
  @Test
  void aTaskWithProgressACancelAGatherAndARecoveredAgent() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    CollaborationDemo.Report r = new CollaborationDemo(Phase11DemoTest.demoConfig(Map.of()),
        new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();

    assertThat(r.reviewed().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(r.reviewed().result()).isEqualTo(Map.of("files", 3L, "verdict", "approved"));
    assertThat(r.progress()).extracting(p -> p.get("file"))
        .containsExactlyElementsOf(CollaborationDemo.FILES);
    assertThat(r.canceled().reason()).isEqualTo(TaskOutcome.Reason.CANCELED);
    assertThat(r.cancelSeenByHandler())
        .isEqualTo("canceled by 'orchestrator': the release was postponed");
    assertThat(r.gathered().ending()).isEqualTo(GatherResult.Ending.ALL_EXPECTED);
    assertThat(r.gathered().respondents()).containsExactlyInAnyOrder("reviewer-001",
        "architect-001", "parser-dev-001");
    assertThat(r.gathered().expected()).as("from the directory")
        .containsExactlyInAnyOrder("reviewer-001", "architect-001", "parser-dev-001");
    assertThat(r.crasherStatus()).isEqualTo(SupervisedAgent.Status.RUNNING);
    assertThat(r.crasherRestarts()).isEqualTo(2);
    assertThat(r.crasherInstances()).isEqualTo(3);
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("Done.");
  }
}
