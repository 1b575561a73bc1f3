package io.agentbus.transport.inmemory;

import io.agentbus.RequestTimeoutException;
import io.agentbus.spi.ReplyFilter;
import io.agentbus.spi.TransportMessage;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A request waiting for its reply. However it ends (reply, timeout, no responders, cancel, close,
 * or a caller completing it) it releases its inbox entry and its timer at once, so abandoned
 * requests leave nothing behind.
 */
final class PendingRequest extends CompletableFuture<TransportMessage> {
  private final Map<String, PendingRequest> inboxes;
  private final String inbox;
  private final String subject;
  private final Duration timeout;
  private final ReplyFilter filter;
  private volatile Scheduler.@Nullable Cancellable timer;
  private final java.util.concurrent.atomic.AtomicBoolean settled =
      new java.util.concurrent.atomic.AtomicBoolean();

  PendingRequest(Map<String, PendingRequest> inboxes, String inbox, String subject,
      Duration timeout, ReplyFilter filter) {
    this.inboxes = inboxes;
    this.filter = filter;
    this.inbox = inbox;
    this.subject = subject;
    this.timeout = timeout;
  }

  void armTimer(Scheduler scheduler) {
    Scheduler.Cancellable t = scheduler.schedule(timeout,
        () -> completeExceptionally(new RequestTimeoutException(subject, timeout)));
    timer = t;
    if (settled.get()) {
      t.cancel(); // completed before the timer was stored: release() could not cancel it
    }
  }

  String subject() {
    return subject;
  }

  /** True if {@code reply} is the one this request waits for (see {@link ReplyFilter}). */
  boolean accepts(TransportMessage reply) {
    return filter.accept(reply);
  }

  // Each way to end the request first releases the inbox and the timer, then completes: dependent
  // stages run inside complete(), and must already see the request gone.
  @Override
  public boolean complete(TransportMessage value) {
    return claim() && super.complete(value);
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    return claim() && super.completeExceptionally(ex);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return claim() && super.cancel(mayInterruptIfRunning);
  }

  /** Dependent stages are plain futures: only this one owns an inbox. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  private boolean claim() {
    if (!settled.compareAndSet(false, true)) {
      return false;
    }
    inboxes.remove(inbox, this);
    Scheduler.Cancellable t = timer;
    if (t != null) {
      t.cancel();
    }
    return true;
  }

  @Override
  public String toString() {
    return "PendingRequest{" + subject + " on " + inbox + ", " + super.toString() + "}";
  }
}
