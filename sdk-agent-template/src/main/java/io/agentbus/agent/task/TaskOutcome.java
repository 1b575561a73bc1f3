package io.agentbus.agent.task;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a task ended, as its requester sees it: the terminal {@link #state()}, {@link #reason() why},
 * the assignee's result when it completed, and an error text otherwise.
 *
 * <p>Immutable.
 */
public final class TaskOutcome {
  /** Why a task ended. */
  public enum Reason {
    /** The assignee sent {@code task_complete}: {@link #result()} holds its result. */
    COMPLETED,
    /** The assignee sent {@code task_failed}: its handler threw or refused the task. */
    ASSIGNEE_FAILED,
    /** The assignee ended the task as canceled on its own side (it was stopping, say). */
    ASSIGNEE_CANCELED,
    /** The requester called {@link TaskHandle#cancel(String)}. */
    CANCELED,
    /** The deadline passed: no progress extended it in time, or the hard limit was reached. */
    DEADLINE_PASSED,
    /**
     * The assignee was lost: it broadcast that it went offline, or sent nothing (no heartbeat, no
     * progress) for {@link TaskOptions#assigneeSilenceLimit()}, the monitor's rule.
     */
    ASSIGNEE_LOST,
    /** Nobody took the assignment: no subscriber, or no acknowledgement in time. */
    NOT_ACCEPTED,
    /** The requester's {@link Tasks} closed while the task was open. */
    REQUESTER_CLOSED
  }

  private final String taskId;
  private final String assignee;
  private final TaskState state;
  private final Reason reason;
  private final Map<String, @Nullable Object> result;
  private final @Nullable String error;

  TaskOutcome(String taskId, String assignee, TaskState state, Reason reason,
      Map<String, @Nullable Object> result, @Nullable String error) {
    this.taskId = taskId;
    this.assignee = assignee;
    this.state = state;
    this.reason = reason;
    this.result = result;
    this.error = error;
  }

  /** The task's id. */
  public String taskId() {
    return taskId;
  }

  /** The agent the task was assigned to. */
  public String assignee() {
    return assignee;
  }

  /** {@link TaskState#COMPLETED}, {@link TaskState#FAILED} or {@link TaskState#CANCELED}. */
  public TaskState state() {
    return state;
  }

  /** Why the task ended. */
  public Reason reason() {
    return reason;
  }

  /** True when the task completed. */
  public boolean isCompleted() {
    return state == TaskState.COMPLETED;
  }

  /** The assignee's result ({@code content.result} of its {@code task_complete}); empty otherwise. */
  public Map<String, @Nullable Object> result() {
    return result;
  }

  /** What went wrong, for a task that did not complete; null for a completed one. */
  public @Nullable String error() {
    return error;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TaskOutcome t && taskId.equals(t.taskId) && assignee.equals(t.assignee)
        && state == t.state && reason == t.reason && result.equals(t.result)
        && Objects.equals(error, t.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(taskId, state, reason);
  }

  @Override
  public String toString() {
    return "TaskOutcome{" + taskId + " on " + assignee + ": " + state.wireName() + ", " + reason
        + (error != null ? ", error=" + error : ", result=" + result) + "}";
  }
}
