package io.agentbus.agent.task;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The assignee's work for one task. Runs on a thread of its own (not a delivery thread), so it
 * may take as long as the task needs; it should {@linkplain TaskContext#progress report progress}
 * often enough to keep extending the deadline, and check {@link TaskContext#isCanceled()} (or let
 * the interrupt a cancel sends end a blocking call).
 */
@FunctionalInterface
public interface TaskHandler {
  /**
   * Performs the task.
   *
   * @return the result, sent to the requester in {@code task_complete} as {@code "result"}
   * @throws TaskCanceledException to end the task as canceled
   * @throws Exception anything else ends the task {@link TaskState#FAILED} with {@code
   *     "<Type>: <message>"} as its error
   */
  Map<String, ? extends @Nullable Object> perform(TaskContext task) throws Exception;
}
