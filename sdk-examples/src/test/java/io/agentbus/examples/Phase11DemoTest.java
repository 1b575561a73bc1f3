package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.AgentEvent.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the demo's flow in memory and checks that each step of the seed's scenario happened. */
class Phase11DemoTest {
  private static final Set<String> WORKERS = Set.of("test-worker-1", "test-worker-2",
      "test-worker-3");
  private static final Set<String> EVERYONE = Set.of("orchestrator", "architect-001",
      "parser-dev-001", "decomposer-001", "test-coordinator", "test-worker-1", "test-worker-2",
      "test-worker-3");

  static AgentBusConfig demoConfig(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(Phase11Demo.DEMO_DEFAULTS);
    props.putAll(overrides);
    return AgentBusConfig.fromProperties(props);
  }


  @Test
  void theSeedsPhase11FlowHappensInMemory() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    Phase11Demo.DemoReport report =
        new Phase11Demo(demoConfig(Map.of()), out, Duration.ofMillis(20)).run();
    String printed = buffer.toString(StandardCharsets.UTF_8);

    assertFlow(report, printed);
  }

  static void assertFlow(Phase11Demo.DemoReport report, String printed) {
    // 1. the architect answered the parser developer's request with the seed's response
    assertThat(report.architectAnswer().fromAgent()).isEqualTo("architect-001");
    assertThat(report.architectAnswer().toAgent()).isEqualTo("parser-dev-001");
    assertThat(report.architectAnswer().messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
    assertThat(report.architectAnswer().content()).isEqualTo(Architect.TASK_MODEL);
    assertThat(report.architectAnswer().correlationId()).startsWith("parser-dev-001-");

    // 2-3. the decomposer started on the parser developer's broadcast completion
    assertThat(report.completionHeardByDecomposer().fromAgent()).isEqualTo("parser-dev-001");
    assertThat(report.completionHeardByDecomposer().messageType())
        .isEqualTo(MessageType.TASK_COMPLETE);
    assertThat(report.completionHeardByDecomposer().content()).isEqualTo(ParserDeveloper.DONE);

    // 4. every test ran exactly once, on workers of the queue
    assertThat(report.testsRanBy().keySet()).containsExactlyInAnyOrderElementsOf(
        TestCoordinator.TESTS);
    assertThat(WORKERS).containsAll(report.testsRanBy().values());

    // 5. the monitor saw everyone alive, then test-worker-3 dead once, and no one else
    assertThat(report.aliveBeforeHang()).containsExactlyInAnyOrderElementsOf(EVERYONE);
    assertThat(report.hungAgentDead().agentId()).isEqualTo("test-worker-3");
    assertThat(report.aliveAfterHang()).containsExactlyInAnyOrderElementsOf(
        EVERYONE.stream().filter(a -> !a.equals("test-worker-3")).toList());
    List<AgentEvent> deaths = report.events().stream()
        .filter(e -> e.kind() == Kind.DEAD).toList();
    assertThat(deaths).extracting(AgentEvent::agentId).containsExactly("test-worker-3");

    // 6. on shutdown everyone but the orchestrator itself was seen leaving
    assertThat(report.events().stream().filter(e -> e.kind() == Kind.LEFT)
        .map(AgentEvent::agentId)).containsExactlyInAnyOrderElementsOf(
            EVERYONE.stream().filter(a -> !a.equals("orchestrator")).toList());

    // and the printed flow tells the same story, in order
    assertThat(printed.lines().toList()).anySatisfy(l -> assertThat(l)
        .contains("parser-dev-001", "-> architect-001", "resource_request"));
    assertThat(printed).containsSubsequence(
        "resource_request", "resource_response", "task_complete",
        "starting the TaskDecomposer", "spreads 6 tests", "test-worker-3 is DEAD",
        "test-worker-3 left");
  }
}
