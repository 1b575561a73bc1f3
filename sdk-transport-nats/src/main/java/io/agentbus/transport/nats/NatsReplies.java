package io.agentbus.transport.nats;

import io.agentbus.NoRespondersException;
import io.agentbus.spi.ReplyFilter;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The reply inbox of one {@link NatsTransport}: one subscription on {@code <inbox>.*} (the inbox
 * made by jnats, so with the connection's inbox prefix), one reply subject per request, and the
 * requests waiting there. Unlike jnats' own request, which takes the first message on the reply
 * subject, a request here takes the first reply its {@link ReplyFilter} accepts: a reply forged
 * by anyone who saw the request is discarded (counted as dropped) and the request keeps waiting.
 * The server's no-responders status ends a request at once. Thread-safe.
 */
final class NatsReplies {
  private final Connection connection;
  private final LongAdder dropped;
  private final ConcurrentHashMap<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();
  private final Object startLock = new Object();
  private volatile @Nullable String prefix;

  NatsReplies(Connection connection, LongAdder dropped) {
    this.connection = connection;
    this.dropped = dropped;
  }

  /**
   * Publishes a request to {@code subject} with a fresh reply subject; the future completes with
   * the first reply {@code filter} accepts, or exceptionally with {@link NoRespondersException}.
   * Completing or cancelling it from outside releases its reply subject.
   *
   * @throws IllegalStateException as jnats' publish does (closed, draining, buffer full)
   */
  CompletableFuture<Message> send(String subject, io.nats.client.impl.@Nullable Headers headers,
      byte[] payload, ReplyFilter filter) {
    String p = start();
    String token = Long.toString(next.incrementAndGet(), 36);
    Waiting w = new Waiting(subject, filter);
    waiting.put(token, w);
    w.future.whenComplete((m, e) -> waiting.remove(token, w));
    try {
      connection.publish(subject, p + token, headers, payload);
    } catch (RuntimeException e) {
      waiting.remove(token, w);
      throw e;
    }
    return w.future;
  }

  /** Requests waiting for a reply. */
  int waiting() {
    return waiting.size();
  }

  /** Ends every waiting request: the connection is closing. */
  void cancelAll() {
    waiting.values().forEach(w -> w.future.cancel(false));
  }

  private String start() {
    String p = prefix;
    if (p != null) {
      return p;
    }
    synchronized (startLock) {
      if (prefix == null) {
        String inbox = connection.createInbox() + ".";
        Dispatcher d = connection.createDispatcher(m -> onReply(inbox, m));
        d.subscribe(inbox + "*");
        prefix = inbox;
      }
      return prefix;
    }
  }

  private void onReply(String inbox, Message m) {
    String subject = m.getSubject();
    Waiting w = subject.startsWith(inbox) ? waiting.get(subject.substring(inbox.length())) : null;
    if (w == null) {
      dropped.increment(); // after its request ended: answered, timed out or cancelled
      return;
    }
    if (m.isStatusMessage()) {
      if (m.getStatus().getCode() == 503) {
        w.future.completeExceptionally(new NoRespondersException(w.subject));
      }
      return;
    }
    if (w.filter.accept(HeaderMapping.fromNats(m))) {
      w.future.complete(m);
    } else {
      dropped.increment();
    }
  }

  private static final class Waiting {
    final String subject;
    final ReplyFilter filter;
    final CompletableFuture<Message> future = new CompletableFuture<>();

    Waiting(String subject, ReplyFilter filter) {
      this.subject = subject;
      this.filter = filter;
    }
  }
}
