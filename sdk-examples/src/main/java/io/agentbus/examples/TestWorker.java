package io.agentbus.examples;

import static io.agentbus.examples.Architect.ordered;

import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.time.Duration;

/**
 * {@code test-worker-N}: one worker of the {@code test_execution} queue; runs each test it is
 * given and reports the result to the coordinator.
 */
final class TestWorker extends DemoAgent {
  private final Duration testDuration;

  TestWorker(AgentContext context, String id, Duration testDuration, FlowLog flow) {
    super(id, context, flow);
    this.testDuration = testDuration;
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onQueue(TestCoordinator.QUEUE, 1, d -> {
      String test = String.valueOf(d.message().content().get("test"));
      Thread.sleep(testDuration.toMillis()); // "running" the test
      step("ran " + test + ": passed");
      send(TestCoordinator.ID, MessageType.TASK_COMPLETE,
          ordered("test", test, "result", "passed", "worker", id()));
    });
  }
}
