package io.agentbus.agent.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A JVM shutdown hook that its owner removes again when it stops on its own. Thread-safe.
 *
 * <pre>{@code
 * ShutdownHook hook = ShutdownHook.register("host", this::close);
 * ...
 * hook.unregister(); // in close(), which the hook itself may be running
 * }</pre>
 */
public final class ShutdownHook {
  private final Thread thread;
  private final AtomicBoolean registered = new AtomicBoolean(true);

  private ShutdownHook(Thread thread) {
    this.thread = thread;
  }

  /**
   * Registers a hook running {@code action} on a thread named {@code agentbus-<owner>-shutdown}.
   *
   * @throws IllegalStateException if the JVM is already shutting down
   */
  public static ShutdownHook register(String owner, Runnable action) {
    Thread t = AgentThreads.newThread(owner, "shutdown", action);
    Runtime.getRuntime().addShutdownHook(t);
    return new ShutdownHook(t);
  }

  /**
   * Removes the hook. Does nothing when called again, from the hook itself, or once the JVM is
   * shutting down (the hook then runs, or ran, and finds its owner stopped).
   */
  public void unregister() {
    if (!registered.compareAndSet(true, false) || thread == Thread.currentThread()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(thread);
    } catch (IllegalStateException e) {
      // the JVM is shutting down
    }
  }
}
