package io.agentbus.test.agents;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.Map;

/** Answers {@code resource_request}s for its budget. */
final class Ledger extends AbstractAgent {
  static final String ID = "ledger";

  Ledger(AgentContext context) {
    super(ID, context);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, this::budget);
  }

  private Map<String, Object> budget(AgentMessage request) {
    return Map.of("resource", "budget", "amount", 1200);
  }
}
