package io.agentbus.agent.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an owner opened, closed when it stops, last opened first. Once closed, whatever is
 * registered is closed at once. Thread-safe.
 */
public final class Closer {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private final Supplier<String> owner;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>(); // guarded by itself
  private boolean closed; // guarded by resources

  /** @param owner names the owner in log messages, e.g. {@code Agent 'architect-001'} */
  public Closer(Supplier<String> owner) {
    this.owner = owner;
  }

  /** Registers {@code resource}, or closes it now (logging a failure) if this is closed. */
  public <T extends AutoCloseable> T register(T resource) {
    synchronized (resources) {
      if (!closed) {
        resources.push(resource);
        return resource;
      }
    }
    try {
      resource.close();
    } catch (Exception e) {
      log.warn("{} had stopped; closing {} registered afterwards failed", owner.get(), resource,
          e);
    }
    return resource;
  }

  /**
   * Closes everything registered, last first, each even if another failed.
   *
   * @param error the failure so far, or null
   * @return {@code error}, or the first failure to close, with any later ones suppressed in it
   */
  public @Nullable Throwable closeAll(@Nullable Throwable error) {
    while (true) {
      AutoCloseable r;
      synchronized (resources) {
        r = resources.poll();
        if (r == null) {
          closed = true;
          return error;
        }
      }
      try {
        r.close();
      } catch (Exception e) {
        log.error("{} could not close {}", owner.get(), r, e);
        error = chain(error, e);
      }
    }
  }

  /** {@code first}, with {@code next} suppressed in it; {@code next} if there is no first. */
  public static Throwable chain(@Nullable Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }
}
