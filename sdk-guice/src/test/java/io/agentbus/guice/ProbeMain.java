package io.agentbus.guice;

import com.google.inject.Inject;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;

/**
 * An agent process as the archetype makes one, for {@link AgentProcessTest} to start, stop and
 * watch from outside: one agent, configured by the environment.
 */
public final class ProbeMain {
  /** What the agent prints once it runs. */
  static final String RUNNING = "probe-agent running";

  private ProbeMain() {}

  public static void main(String[] args) throws InterruptedException {
    AgentApplication.run(ProbeAgent.class);
  }

  /** Prints {@link #RUNNING} when started. */
  static final class ProbeAgent extends AbstractAgent {
    private static final String ID = "probe-agent";

    @Inject
    ProbeAgent(AgentContext context) {
      super(ID, context);
    }

    @Override
    protected void onStart() {
      System.out.println(RUNNING);
      System.out.flush();
    }
  }
}
