package io.agentbus.agent;

/**
 * An agent's own work, beside answering messages, declared with {@link Handlers#workLoop}. It
 * runs once, on a thread of its own ({@code agentbus-<id>-work}), from when the agent is RUNNING.
 *
 * <p>Stopping the agent interrupts that thread and waits for it (up to the drain timeout): end
 * promptly when interrupted, whether by letting an {@link InterruptedException} out or by
 * checking {@link Thread#isInterrupted()}. Returning normally leaves the agent RUNNING, still
 * answering messages; to stop it instead, call {@link AbstractAgent#stopAsync()} at the end.
 * Throwing, other than in answer to the interruption while stopping, stops the agent and ends it
 * FAILED with what was thrown.
 */
@FunctionalInterface
public interface WorkLoop {
  void run() throws Exception;
}
