package io.agentbus.agent.monitor;

/**
 * Told of every {@link AgentEvent}, one at a time in the order they happened. Called without the
 * monitor's lock held, on a delivery thread or the scheduler's thread: do not block. An exception
 * is logged and ignored.
 */
@FunctionalInterface
public interface MonitorListener {
  void onEvent(AgentEvent event);
}
