package io.agentbus.examples;

import static io.agentbus.examples.Architect.ordered;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code decomposer-001}: waits for the parser developer's {@code task_complete}, then starts its
 * own work, and announces when it is done.
 */
final class Decomposer extends DemoAgent {
  static final String ID = "decomposer-001";

  static final Map<String, Object> DONE = ordered(
      "task", "TaskDecomposer implementation",
      "output", "src/core/task_decomposer.py",
      "tests", "tests/test_task_decomposer.py");

  /** The completion it was waiting on, once it came. */
  final CompletableFuture<AgentMessage> started = new CompletableFuture<>();

  Decomposer(AgentContext context, FlowLog flow) {
    super(ID, context, flow);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onBroadcast(MessageType.TASK_COMPLETE, this::onTaskComplete);
  }

  private void onTaskComplete(Delivery d) {
    AgentMessage m = d.message();
    if (!m.fromAgent().equals(ParserDeveloper.ID) || started.isDone()) {
      return;
    }
    step("heard " + m.fromAgent() + " finish \"" + m.content().get("task")
        + "\": starting the TaskDecomposer");
    started.complete(m);
    broadcast(MessageType.STATUS_UPDATE,
        ordered("status", "started", "component", "task_decomposer"));
    step("=> broadcast      task_complete " + FlowLog.json(DONE));
    broadcast(MessageType.TASK_COMPLETE, DONE);
  }
}
