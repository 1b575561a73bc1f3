package io.agentbus.agent.internal;

import io.agentbus.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ending subscriptions the way a stopping owner does. */
public final class Subscriptions {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

  private Subscriptions() {}

  /**
   * Drains {@code subscriptions} together, so that handlers already running or messages already
   * received are handled, waits up to about {@code timeout} for that, then unsubscribes what is
   * still active. Failures are logged, not thrown.
   *
   * @param owner names the owner in log messages
   */
  public static void drainAll(Collection<? extends Subscription> subscriptions, Duration timeout,
      String owner) {
    List<CompletableFuture<Void>> drains = new ArrayList<>();
    for (Subscription s : subscriptions) {
      try {
        drains.add(s.drain(timeout));
      } catch (RuntimeException e) {
        log.warn("{} could not drain its subscription to '{}'", owner, s.subject(), e);
      }
    }
    try {
      CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: in-flight handlers did not all finish within {} ({}); unsubscribing anyway",
          owner, timeout, String.valueOf(e instanceof ExecutionException ? e.getCause() : e));
    }
    for (Subscription s : subscriptions) {
      if (s.isActive()) {
        s.unsubscribe();
      }
    }
  }
}
