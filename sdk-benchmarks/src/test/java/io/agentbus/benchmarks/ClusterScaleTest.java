package io.agentbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small version of {@link ClusterScale} (three agent JVMs of 50 agents on a 3-node cluster):
 * every question, most of them to an agent in another process behind another node, gets the
 * right answer, and every process starts, reports and closes. The full size is {@code
 * bench/run.sh cluster}, too heavy for every build.
 */
class ClusterScaleTest {
  @TempDir
  Path out;

  @Test
  void everyAgentOfThreeProcessesOnThreeNodesIsAnsweredByARandomOtherAgent() throws Exception {
    List<ClusterScale.ProcessFigures> figures = ClusterScale.run(150, 3, "256m", out);

    assertThat(figures).hasSize(3);
    for (ClusterScale.ProcessFigures f : figures) {
      assertThat(f.agents()).isEqualTo(50);
      assertThat(f.get("ASKED", "failures")).as("failures of process %d", f.process() + 1)
          .isEqualTo("none");
      assertThat(f.number("ASKED", "answered")).isEqualTo(50);
      assertThat(f.number("AFTER", "dropped")).isZero();
      assertThat(f.number("AFTER", "handlerFailures")).isZero();
      assertThat(f.phases()).containsKey("CLOSED");
    }
    assertThat(ClusterScale.table(figures)).contains("| 3 | n3 :").doesNotContain("failures:");
  }
}
