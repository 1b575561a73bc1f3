package io.agentbus.transport.inmemory;

import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.TransportException;
import io.agentbus.spi.ReplyFilter;
import io.agentbus.spi.TransportMessage;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request/reply side of one {@link InMemoryTransport}: its reply inbox {@code
 * _INBOX.<nuid>.*} on the server's routes, one reply subject per request, the requests waiting
 * there, and the replies that complete them on the replying thread. It shares the transport's
 * state and counters rather than asking the transport for them, so a request costs no more than
 * it did inside the transport. Thread-safe.
 */
final class ReplyInbox implements Receiver {
  // the transport's logger: one category per transport, whichever part of it logs
  private static final Logger log = LoggerFactory.getLogger(InMemoryTransport.class);

  private final String name;
  private final Routes routes;
  private final Scheduler scheduler;
  private final long maxPayload;
  private final AtomicInteger state;
  private final LongAdder published;
  private final LongAdder delivered;
  private final LongAdder dropped;
  private final String prefix;
  private final String pattern;
  private final ConcurrentHashMap<String, PendingRequest> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextInbox = new AtomicLong();

  ReplyInbox(String name, Routes routes, Scheduler scheduler, long maxPayload,
      AtomicInteger state, LongAdder published, LongAdder delivered, LongAdder dropped) {
    this.name = name;
    this.routes = routes;
    this.scheduler = scheduler;
    this.maxPayload = maxPayload;
    this.state = state;
    this.published = published;
    this.delivered = delivered;
    this.dropped = dropped;
    this.prefix = Routes.INBOX_PREFIX + nuid() + ".";
    this.pattern = prefix + "*";
  }

  /** Starts receiving replies. */
  void route() {
    routes.add(pattern, null, this);
  }

  /** Stops receiving replies. */
  void unroute() {
    routes.remove(pattern, null, this);
  }

  /** Requests waiting for a reply. */
  int waiting() {
    return pending.size();
  }

  /** Fails every request still waiting: the transport has closed. */
  void failWaiting() {
    for (PendingRequest p : pending.values()) {
      p.completeExceptionally(closedWhileWaiting(p.subject()));
    }
  }

  /** {@link InMemoryTransport#requestAndWait} on the system scheduler. */
  TransportMessage sendAndWait(String subject, Headers headers, byte[] payload, Duration timeout,
      ReplyFilter filter) throws InterruptedException {
    PendingRequest request = send(subject, headers, payload, timeout, filter, false);
    try {
      return request.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      request.completeExceptionally(new RequestTimeoutException(subject, timeout));
      return awaitSettled(request); // the reply, if it won the race with the timeout
    } catch (ExecutionException e) {
      return awaitSettled(request);
    } catch (InterruptedException e) {
      request.cancel(false);
      throw e;
    }
  }

  private static TransportMessage awaitSettled(PendingRequest request) {
    try {
      return request.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw e;
    }
  }

  /**
   * Publishes a request with a new reply subject of this inbox; {@code armTimer} has the
   * scheduler end it at {@code timeout}.
   */
  PendingRequest send(String subject, Headers headers, byte[] payload, Duration timeout,
      ReplyFilter filter, boolean armTimer) {
    if (state.get() == InMemoryTransport.CLOSED) {
      throw InMemoryTransport.closed(name, "send a request to '" + subject + "'");
    }
    Routes.Match m = routes.match(subject);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Request timeout must be positive, was " + timeout);
    }
    InMemoryTransport.checkPayload(subject, payload, maxPayload);
    String replyTo = prefix + nextInbox.incrementAndGet();
    PendingRequest request = new PendingRequest(pending, replyTo, subject, timeout, filter);
    // The timer is on the clock before the request counts as pending (waiting()), so a test that
    // waits for a pending request and then advances virtual time always passes its timeout.
    if (armTimer) {
      request.armTimer(scheduler);
    }
    // registered before publishing: the reply may come back before deliver returns
    pending.put(replyTo, request);
    if (request.isDone()) {
      pending.remove(replyTo, request); // the timer ended it before it was registered
      return request;
    }
    int reached = m.deliver(new TransportMessage(subject, replyTo, headers, payload));
    published.increment();
    if (reached == 0) {
      request.completeExceptionally(new NoRespondersException(subject));
      return request;
    }
    if (state.get() == InMemoryTransport.CLOSED) {
      request.completeExceptionally(closedWhileWaiting(subject)); // close swept before our put
    }
    return request;
  }

  /**
   * A reply: it completes its request, is discarded if the request's filter refuses it (the
   * request keeps waiting), or is dropped if the request has ended.
   */
  @Override
  public int offer(TransportMessage message) {
    PendingRequest request = pending.get(message.subject());
    if (request != null && !request.accepts(message)) {
      dropped.increment();
      return ACCEPTED;
    }
    if (request != null && request.complete(message)) {
      delivered.increment();
      return ACCEPTED;
    }
    if (state.get() == InMemoryTransport.CLOSED) {
      return REJECTED;
    }
    dropped.increment();
    log.debug("Reply on {} came after its request ended (answered, timed out or cancelled); "
        + "dropped", message.subject());
    return ACCEPTED;
  }

  @Override
  public boolean isInternal() {
    return true;
  }

  private TransportException closedWhileWaiting(String subject) {
    return new TransportException(name + " was closed before the reply to a request on '"
        + subject + "' came");
  }

  private static String nuid() {
    final String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[22];
    for (int i = 0; i < c.length; i++) {
      c[i] = alphabet.charAt(r.nextInt(alphabet.length()));
    }
    return new String(c);
  }
}
