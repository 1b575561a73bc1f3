package io.agentbus.examples;

import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;

/** What the demo's agents share: a name given once, and the flow log they print their steps to. */
abstract class DemoAgent extends AbstractAgent {
  private final FlowLog flow;

  DemoAgent(String id, AgentContext context, FlowLog flow) {
    super(id, context);
    this.flow = flow;
  }

  /** Prints one step of the flow as this agent. */
  final void step(String what) {
    flow.step(id(), what);
  }
}
