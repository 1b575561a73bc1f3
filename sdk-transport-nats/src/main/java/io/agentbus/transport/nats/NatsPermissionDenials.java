package io.agentbus.transport.nats;

import io.agentbus.PermissionDeniedException;
import io.agentbus.PermissionDeniedException.Operation;
import io.nats.client.Message;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The server's permission refusals on one connection, from its {@code -ERR 'Permissions
 * Violation ...'} reports, turned into {@link PermissionDeniedException}s where a caller can get
 * them: a request waiting for a reply to a refused subject fails at once (not at its timeout), a
 * subscription refused fails when {@link NatsSubscriptions} checks it after a round trip (jnats
 * keeps the server's last error at once; its listener hears later), and a publish to a subject
 * already refused fails at the call. The server reports a refused publish only after the call
 * returned, so the first plain publish to a refused subject is reported to the connection
 * listeners, not to its caller. Forgotten on reconnect, where new credentials may apply.
 * Thread-safe.
 */
final class NatsPermissionDenials {
  private static final Pattern VIOLATION =
      Pattern.compile("Permissions Violation for (Subscription|Publish) to \"([^\"]+)\"");

  private final Set<String> deniedPublish = ConcurrentHashMap.newKeySet();
  private final Set<String> deniedSubscribe = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<CompletableFuture<Message>>> waiting = new ConcurrentHashMap<>();
  private final Object heardLock = new Object();
  private long heard; // guarded by heardLock

  /**
   * Records a server error if it is a permission violation.
   *
   * @return the refusal, or null if {@code error} is not one
   */
  @Nullable PermissionDeniedException onServerError(String error) {
    Matcher m = VIOLATION.matcher(error);
    if (!m.find()) {
      return null;
    }
    String subject = m.group(2);
    if (m.group(1).equals("Subscription")) {
      deniedSubscribe.add(subject);
      return new PermissionDeniedException(Operation.SUBSCRIBE, subject,
          ": this identity may not subscribe there");
    }
    deniedPublish.add(subject);
    PermissionDeniedException e = publishDenied(subject);
    Set<CompletableFuture<Message>> requests = waiting.remove(subject);
    if (requests != null) {
      requests.forEach(f -> f.completeExceptionally(e));
    }
    return e;
  }

  /** @throws PermissionDeniedException if the server refused a publish to {@code subject} */
  void checkPublish(String subject) {
    if (!deniedPublish.isEmpty() && deniedPublish.contains(subject)) {
      throw publishDenied(subject);
    }
  }

  /**
   * Takes in the server's last error as jnats holds it after a round trip ({@link
   * NatsTransport#flush}), before its listener hears of it: a refused publish is known from then
   * on. (Refused subscriptions are learnt from the listener, which hears every one: {@link
   * #awaitHeard}.)
   */
  void absorb(@Nullable String lastServerError) {
    if (lastServerError == null) {
      return;
    }
    Matcher m = VIOLATION.matcher(lastServerError);
    if (m.find() && m.group(1).equals("Publish")) {
      deniedPublish.add(m.group(2));
    }
  }

  /** Counts one server error the connection's listener has handled (called after handling it). */
  void heard() {
    synchronized (heardLock) {
      heard++;
      heardLock.notifyAll();
    }
  }

  /**
   * Waits, at most {@code timeoutNanos}, until the listener has handled {@code errors} server
   * errors: jnats counts each at once but tells its listener later, on another thread. After a
   * round trip, waiting for the count jnats had then means every refusal the server sent before
   * its answer is recorded, however many there were (jnats' last error holds only one).
   */
  void awaitHeard(long errors, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (heardLock) {
      while (heard < errors) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return; // the listener is late: what it has not handled yet stays unknown here
        }
        TimeUnit.NANOSECONDS.timedWait(heardLock, left);
      }
    }
  }

  /** True, once, if the server refused a subscription to {@code pattern}. */
  boolean takeSubscriptionDenied(String pattern) {
    return !deniedSubscribe.isEmpty() && deniedSubscribe.remove(pattern);
  }

  /** Fails {@code request} at once if the server refuses the publish to {@code subject}. */
  void watch(String subject, CompletableFuture<Message> request) {
    waiting.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(request);
    request.whenComplete((r, e) -> waiting.computeIfPresent(subject, (s, set) -> {
      set.remove(request);
      return set.isEmpty() ? null : set;
    }));
    // the refusal may have come before this request was watched (reported then, it found none)
    if (deniedPublish.contains(subject)) {
      request.completeExceptionally(publishDenied(subject));
    }
  }

  /** Forgets every refusal: after a reconnect the credentials, or permissions, may be new. */
  void forget() {
    deniedPublish.clear();
    deniedSubscribe.clear();
  }

  private static PermissionDeniedException publishDenied(String subject) {
    return new PermissionDeniedException(Operation.PUBLISH, subject,
        ": this identity may not publish there (see docs/security.md)");
  }
}
