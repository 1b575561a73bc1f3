package io.agentbus.examples;

import static io.agentbus.examples.Architect.ordered;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code test-coordinator}: once the decomposer is done, spreads the test suite over the {@code
 * test_execution} work queue and collects the results the workers send back.
 */
final class TestCoordinator extends DemoAgent {
  static final String ID = "test-coordinator";
  static final String QUEUE = "test_execution";
  static final List<String> TESTS = List.of(
      "tests/test_task_parser.py::test_parses_goal",
      "tests/test_task_parser.py::test_parses_constraints",
      "tests/test_task_parser.py::test_rejects_empty_task",
      "tests/test_task_decomposer.py::test_splits_into_subtasks",
      "tests/test_task_decomposer.py::test_keeps_dependencies",
      "tests/test_task_decomposer.py::test_single_step_task");

  /** Test name to the worker that ran it, once every test reported. */
  final CompletableFuture<Map<String, String>> results = new CompletableFuture<>();
  private final Map<String, String> ranBy = new TreeMap<>(); // guarded by itself

  TestCoordinator(AgentContext context, FlowLog flow) {
    super(ID, context, flow);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers
        .onBroadcast(MessageType.TASK_COMPLETE, this::onBroadcastComplete)
        .on(MessageType.TASK_COMPLETE, this::onTestResult);
  }

  private void onBroadcastComplete(Delivery d) {
    if (!d.message().fromAgent().equals(Decomposer.ID)) {
      return;
    }
    step("spreads " + TESTS.size() + " tests over the '" + QUEUE + "' work queue");
    int attempt = 1;
    for (String test : TESTS) {
      publishToQueue(QUEUE, MessageType.TASK_ASSIGNMENT, ordered("test", test,
          "attempt", attempt));
    }
  }

  private void onTestResult(Delivery d) {
    AgentMessage m = d.message();
    Map<String, String> done = null;
    synchronized (ranBy) {
      ranBy.put(String.valueOf(m.content().get("test")), m.fromAgent());
      if (ranBy.size() == TESTS.size()) {
        done = Map.copyOf(ranBy);
      }
    }
    if (done != null) {
      Map<String, Long> perWorker = new TreeMap<>();
      done.values().forEach(w -> perWorker.merge(w, 1L, Long::sum));
      Map<String, Object> summary = ordered("task", "test run", "passed", (long) done.size(),
          "failed", 0L, "per_worker", perWorker);
      step("=> broadcast      task_complete " + FlowLog.json(summary));
      broadcast(MessageType.TASK_COMPLETE, summary);
      results.complete(done);
    }
  }
}
