package io.agentbus.interop;

import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.function.Consumer;

/** A Java agent whose handlers a scenario declares in place; it sends through the bus's endpoint. */
final class ScriptedAgent extends AbstractAgent {
  private final Consumer<Handlers> script;

  ScriptedAgent(String id, AgentContext context, Consumer<Handlers> script) {
    super(id, context);
    this.script = script;
  }

  @Override
  protected void configure(Handlers handlers) {
    script.accept(handlers);
  }
}
