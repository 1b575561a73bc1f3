package io.agentbus.agent.task;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One task as its assignee's {@link TaskHandler} sees it: what was asked, a way to report
 * progress and ask for input, and the cancellation signal.
 *
 * <p>Thread-safe; meant for the handler's thread.
 */
public interface TaskContext {
  /** The task's id (its {@code task_id} on the wire). */
  String taskId();

  /** The agent that assigned the task. */
  String requester();

  /**
   * Which attempt this is: 1, or for a task assigned through a durable work queue, the queue's
   * delivery count (2 after the first assignee died with the task unfinished, and so on).
   */
  default int attempt() {
    return 1;
  }

  /** The assignment's content, without {@code task_id}. */
  Map<String, @Nullable Object> input();

  /**
   * Reports progress: sends the requester a {@code status_update} with {@code "state":
   * "working"} and {@code progress} as {@code "progress"}. Each report extends the requester's
   * deadline (up to its hard limit).
   *
   * @throws TaskCanceledException if the task was canceled
   */
  void progress(Map<String, ? extends @Nullable Object> progress);

  /**
   * Asks the requester for input and waits for it: sends a {@code status_update} with {@code
   * "state": "input-required"} and {@code question} as {@code "question"}, then blocks until the
   * requester {@linkplain TaskHandle#provideInput answers}.
   *
   * @return the requester's input
   * @throws TaskCanceledException if the task is canceled meanwhile
   * @throws java.util.concurrent.TimeoutException if no input arrived within {@code timeout}
   * @throws InterruptedException if the handler's thread is interrupted
   */
  Map<String, @Nullable Object> requestInput(Map<String, ? extends @Nullable Object> question,
      Duration timeout) throws java.util.concurrent.TimeoutException, InterruptedException;

  /** True once the task was canceled; the handler should then stop soon. */
  boolean isCanceled();

  /** Why the task was canceled, or null while it is not. */
  @Nullable String cancelReason();

  /** @throws TaskCanceledException if the task was canceled */
  void throwIfCanceled();
}
