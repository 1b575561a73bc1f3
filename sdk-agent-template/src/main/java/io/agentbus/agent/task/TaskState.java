package io.agentbus.agent.task;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where a task is, by A2A's names: {@code submitted}, {@code working}, {@code input-required},
 * and the terminal {@code completed}, {@code failed}, {@code canceled}. The wire name ({@link
 * #wireName()}) is what travels in a task message's {@code "state"}.
 */
public enum TaskState {
  /** Assigned and acknowledged by the assignee; its handler has not reported yet. */
  SUBMITTED,
  /** The assignee's handler runs (and reported so, or reported progress). */
  WORKING,
  /** The assignee's handler waits for input from the requester. */
  INPUT_REQUIRED,
  /** Finished with a result. Terminal. */
  COMPLETED,
  /** Ended without a result: the handler failed, the deadline passed, the assignee was lost. */
  FAILED,
  /** Canceled by the requester (or, on the assignee's side, because the requester went away). */
  CANCELED;

  /** True for {@link #COMPLETED}, {@link #FAILED} and {@link #CANCELED}. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELED;
  }

  /** The name on the wire: lower case, {@code -} for {@code _} ({@code input-required}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The state named {@code wireName} on the wire, or null if none is. */
  public static @Nullable TaskState fromWire(@Nullable Object wireName) {
    if (wireName instanceof String s) {
      for (TaskState state : values()) {
        if (state.wireName().equals(s)) {
          return state;
        }
      }
    }
    return null;
  }
}
