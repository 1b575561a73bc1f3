package io.agentbus.test.agents;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.time.Duration;
import java.util.Map;

/**
 * Plans an assigned task with the ledger's budget: asks the ledger (5 s timeout), asks once more if
 * that times out, then broadcasts {@code task_complete} with the budget, or {@code task_failed}.
 */
final class Planner extends AbstractAgent {
  static final String ID = "planner";
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  static final int ATTEMPTS = 2;

  Planner(AgentContext context) {
    super(ID, context);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.on(MessageType.TASK_ASSIGNMENT, this::plan);
  }

  private void plan(Delivery delivery) {
    Object task = delivery.message().content().get("task");
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        AgentMessage budget = request(Ledger.ID, MessageType.RESOURCE_REQUEST,
            Map.of("resource", "budget"), ASK_TIMEOUT);
        broadcast(MessageType.TASK_COMPLETE, Map.of("task", String.valueOf(task),
            "budget", budget.content().get("amount"), "attempts", attempt));
        return;
      } catch (RequestTimeoutException e) {
        // the ledger is slow: ask again, up to ATTEMPTS times
      }
    }
    broadcast(MessageType.TASK_FAILED, Map.of("task", String.valueOf(task),
        "reason", "the ledger did not answer " + ATTEMPTS + " times in " + ASK_TIMEOUT));
  }
}
