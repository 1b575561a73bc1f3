package io.agentbus.agent.task;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** One task on its assignee's side: the {@link TaskContext} its handler gets. */
final class RunningTask implements TaskContext {
  /** How the assignee's {@link Tasks} sends this task's messages. */
  interface Reports {
    void working(RunningTask task, Map<String, ? extends @Nullable Object> progress);

    void inputRequired(RunningTask task, Map<String, ? extends @Nullable Object> question);
  }

  private final String taskId;
  private final String requester;
  private final Map<String, @Nullable Object> input;
  private final Reports reports;
  private final int attempt;

  private final Object lock = new Object();
  // guarded by lock
  private final ArrayDeque<Map<String, @Nullable Object>> inputs = new ArrayDeque<>();
  private @Nullable String cancelReason;
  private @Nullable Thread thread;

  RunningTask(String taskId, String requester, Map<String, @Nullable Object> input,
      Reports reports, int attempt) {
    this.attempt = attempt;
    this.taskId = taskId;
    this.requester = requester;
    this.input = input;
    this.reports = reports;
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public String requester() {
    return requester;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Map<String, @Nullable Object> input() {
    return input;
  }

  @Override
  public void progress(Map<String, ? extends @Nullable Object> progress) {
    Objects.requireNonNull(progress, "progress");
    throwIfCanceled();
    reports.working(this, progress);
  }

  @Override
  public Map<String, @Nullable Object> requestInput(
      Map<String, ? extends @Nullable Object> question, Duration timeout)
      throws TimeoutException, InterruptedException {
    Objects.requireNonNull(question, "question");
    throwIfCanceled();
    reports.inputRequired(this, question);
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (inputs.isEmpty()) {
        if (cancelReason != null) {
          throw new TaskCanceledException(cancelReason);
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("Task " + taskId + ": no input from '" + requester
              + "' within " + timeout);
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return inputs.poll();
    }
  }

  @Override
  public boolean isCanceled() {
    synchronized (lock) {
      return cancelReason != null;
    }
  }

  @Override
  public @Nullable String cancelReason() {
    synchronized (lock) {
      return cancelReason;
    }
  }

  @Override
  public void throwIfCanceled() {
    String reason = cancelReason();
    if (reason != null) {
      throw new TaskCanceledException(reason);
    }
  }

  @Override
  public String toString() {
    return "Task{" + taskId + " from " + requester + "}";
  }

  // ------------------------------------------------------------------ from Tasks

  void input(Map<String, @Nullable Object> answer) {
    synchronized (lock) {
      inputs.add(answer);
      lock.notifyAll();
    }
  }

  /** Marks the task canceled once; interrupts its handler's thread when asked to. */
  void cancel(String reason, boolean interrupt) {
    synchronized (lock) {
      if (cancelReason != null) {
        return;
      }
      cancelReason = reason;
      lock.notifyAll();
      // under the lock, so that a thread the handler has left (runsOn(null)) is never interrupted
      if (interrupt && thread != null) {
        thread.interrupt();
      }
    }
  }

  void runsOn(@Nullable Thread t) {
    synchronized (lock) {
      thread = t;
    }
  }
}
