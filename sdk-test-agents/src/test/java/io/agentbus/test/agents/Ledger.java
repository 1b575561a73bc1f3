package io.agentbus.test.agents;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Answers {@code resource_request}s for its budget; a test can hold its answers back. */
final class Ledger extends AbstractAgent {
  static final String ID = "ledger";

  private final CountDownLatch open = new CountDownLatch(1);
  private volatile boolean held;

  Ledger(AgentContext context) {
    super(ID, context);
  }

  /** Answers only once {@link #release()} is called, as a slow or stuck agent would. */
  Ledger hold() {
    held = true;
    return this;
  }

  void release() {
    open.countDown();
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, this::budget);
  }

  private Map<String, Object> budget(AgentMessage request) throws InterruptedException {
    if (held && !open.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never released the ledger");
    }
    return Map.of("resource", "budget", "amount", 1200);
  }
}
