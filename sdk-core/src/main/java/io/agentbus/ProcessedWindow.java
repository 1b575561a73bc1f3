package io.agentbus;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The ids of the items a durable queue's workers in this bus are handling or have handled, so that
 * a redelivered copy of an item whose acknowledgement was lost is not handled twice. Bounded in
 * time ({@code window}) and in size ({@code capacity}): the oldest handled ids go first. Also
 * remembers the last error of items whose handler threw, for their dead letter. Thread-safe.
 */
final class ProcessedWindow {

  /** What {@link #claim} found. */
  enum Claim {
    /** Nobody here has handled it: the caller now owns it and must call done or release. */
    CLAIMED,
    /** Already handled here. */
    DONE,
    /** Another worker here is handling it right now. */
    BUSY
  }

  private final Duration window;
  private final int capacity;
  /** Handled ids to the time they expire, oldest first. */
  private final LinkedHashMap<String, Instant> done = new LinkedHashMap<>();
  private final Set<String> inProgress = new HashSet<>();
  private final LinkedHashMap<String, String> lastErrors;

  ProcessedWindow(Duration window, int capacity) {
    this.window = window;
    this.capacity = capacity;
    int errorCapacity = Math.min(capacity, 10_000);
    this.lastErrors = new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > errorCapacity;
      }
    };
  }

  synchronized Claim claim(String id, Instant now) {
    evict(now);
    if (done.containsKey(id)) {
      return Claim.DONE;
    }
    if (!inProgress.add(id)) {
      return Claim.BUSY;
    }
    return Claim.CLAIMED;
  }

  /** The claimed item was handled. */
  synchronized void done(String id, Instant now) {
    inProgress.remove(id);
    lastErrors.remove(id);
    done.put(id, now.plus(window));
    evict(now);
  }

  /** The claimed item was not handled (its handler threw, or it was dead-lettered). */
  synchronized void release(String id, @Nullable String error) {
    inProgress.remove(id);
    if (error != null) {
      lastErrors.put(id, error);
    }
  }

  synchronized @Nullable String lastError(String id) {
    return lastErrors.get(id);
  }

  synchronized int size() {
    return done.size();
  }

  private void evict(Instant now) {
    Iterator<Map.Entry<String, Instant>> it = done.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Instant> oldest = it.next();
      if (done.size() > capacity || !oldest.getValue().isAfter(now)) {
        it.remove();
      } else {
        return;
      }
    }
  }
}
