package io.agentbus.transport.inmemory;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.PayloadTooLargeException;
import io.agentbus.Subjects;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplyFilter;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that moves messages inside the JVM with the semantics of core NATS, so that
 * agents tested on it behave the same on a real server. It passes {@code sdk-test}'s {@code
 * TransportContract}, as the NATS transport does. In short:
 *
 * <ul>
 *   <li>Subjects and wildcards as in NATS ({@code *} one token, a final {@code >} one or more);
 *       invalid subjects are rejected with {@link io.agentbus.InvalidSubjectException}, payloads
 *       over {@link #maxPayload()} with {@link PayloadTooLargeException}.
 *   <li>A message reaches every matching subscription, including this transport's own (NATS
 *       echoes a connection's publishes to itself by default), and one member, picked at random,
 *       of each matching queue group across all transports of the {@link InMemoryServer}.
 *   <li>{@link #publish} hands the message to every matching subscription before it returns: a
 *       subscription that is live when a publish starts gets the message. Each subscription has
 *       its own bounded queue ({@linkplain Builder#pendingLimit pending limit}, default 65,536
 *       messages) drained by one thread at a time from a shared pool, in order. A handler that
 *       blocks holds only its own subscription. Past the limit, messages are dropped, counted in
 *       {@link TransportStats#dropped()} and {@link TransportSubscription#droppedMessages()}, and
 *       a {@link ConnectionEvent.Kind#SLOW_CONSUMER} event is sent (and a warning logged) once
 *       per burst.
 *   <li>{@link #request} uses a reply inbox {@code _INBOX.<id>.<n>} of this transport; it fails at
 *       once with {@link NoRespondersException} when no subscription matches, and with {@link
 *       io.agentbus.RequestTimeoutException} when the {@linkplain Builder#scheduler scheduler}
 *       says the timeout has passed. The reply completes the future on the replying thread, as
 *       jnats completes it on its own thread: attach blocking work with the {@code *Async}
 *       methods of {@link CompletableFuture}.
 * </ul>
 *
 * <p>Create one with {@link #create()} (its own private server), {@link #connectTo(InMemoryServer)}
 * or {@link #builder()}. Thread-safe. {@link ConnectionListener}s hear {@code SLOW_CONSUMER} and
 * {@code CLOSED}; an in-memory transport never disconnects.
 */
public final class InMemoryTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(InMemoryTransport.class);

  /** Default number of messages a subscription may hold before it drops: 65,536. */
  public static final int DEFAULT_PENDING_LIMIT = 65_536;

  private static final int OPEN = 0;
  private static final int DRAINING = 1;
  static final int CLOSED = 2;

  private final InMemoryServer server;
  private final String name;
  private final long maxPayload;
  private final int pendingLimit;
  private final Scheduler scheduler;
  private final ThreadPoolExecutor executor;
  // this class routes, subscribes and runs the lifecycle; requests and their replies are the
  // inbox's, listeners the events', durable streams the session's
  private final ReplyInbox inbox;
  private final StreamSession streams;
  private final Set<InMemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ConnectionEvents events;
  private final AtomicInteger state = new AtomicInteger(OPEN);
  private final Object lifecycleLock = new Object();
  private @Nullable CompletableFuture<Void> drainResult; // guarded by lifecycleLock

  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder handlerFailures = new LongAdder();
  private final LongAdder slowConsumerEvents = new LongAdder();

  private InMemoryTransport(Builder b, InMemoryServer server) {
    this.server = server;
    int id = server.nextConnectionId();
    this.name = b.name != null ? b.name : "inmemory-" + id;
    this.maxPayload = server.maxPayload();
    this.pendingLimit = b.pendingLimit;
    this.scheduler = b.scheduler;
    AtomicInteger threads = new AtomicInteger();
    String threadPrefix = "agentbus-" + name + "-";
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, threadPrefix + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.events = new ConnectionEvents(name, executor);
    this.inbox = new ReplyInbox(name, server.routes, scheduler, maxPayload, state, published,
        delivered, dropped);
    inbox.route();
    this.streams = server.streams.session((subject, headers, payload) ->
        publish(subject, null, headers, payload));
    server.connected(this);
  }

  /** A transport on a new private {@link InMemoryServer}, with default settings. */
  public static InMemoryTransport create() {
    return builder().build();
  }

  /** A transport on {@code server}, with default settings. */
  public static InMemoryTransport connectTo(InMemoryServer server) {
    return builder().server(server).build();
  }

  /** A builder for a transport with non-default settings or on a shared server. */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ Transport

  @Override
  public void publish(String subject, @Nullable String replyTo, Headers headers, byte[] payload) {
    if (state.get() == CLOSED) {
      throw closed(name, "publish to '" + subject + "'");
    }
    Routes.Match m = server.routes.match(subject);
    if (replyTo != null) {
      Subjects.requireSubject("reply subject", replyTo);
    }
    Objects.requireNonNull(headers, "headers");
    checkPayload(subject, payload, maxPayload);
    server.streams.capture(subject, headers, payload); // kept, if a stream captures the subject
    if (!m.isEmpty()) {
      m.deliver(new TransportMessage(subject, replyTo, headers, payload));
    }
    published.increment();
  }

  @Override
  public TransportSubscription subscribe(
      String subjectPattern, @Nullable String queueGroup, TransportHandler handler) {
    Subjects.requirePattern("subject pattern", subjectPattern);
    if (queueGroup != null) {
      Subjects.requireSubject("queue group", queueGroup);
    }
    Objects.requireNonNull(handler, "handler");
    requireAcceptingSubscriptions(subjectPattern);
    InMemorySubscription s =
        new InMemorySubscription(this, subjectPattern, queueGroup, handler, pendingLimit);
    subscriptions.add(s);
    server.routes.add(subjectPattern, queueGroup, s);
    if (state.get() != OPEN) {
      // drain or close ran while we registered and may have missed this subscription
      s.closeAndDiscard();
      removed(s);
      requireAcceptingSubscriptions(subjectPattern);
      throw closed(name, "subscribe to '" + subjectPattern + "'");
    }
    return s;
  }

  @Override
  public CompletableFuture<TransportMessage> request(
      String subject, Headers headers, byte[] payload, Duration timeout) {
    return request(subject, headers, payload, timeout, ReplyFilter.ANY);
  }

  /**
   * Sends a request and completes with the first reply {@code filter} accepts (see {@link
   * Transport#request(String, Headers, byte[], Duration, ReplyFilter)}); a refused reply counts as
   * dropped in {@link #stats()}.
   */
  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout, ReplyFilter filter) {
    return inbox.send(subject, headers, payload, timeout, Objects.requireNonNull(filter, "filter"),
        true);
  }

  /**
   * Sends a request and waits for its reply (see {@link Transport#requestAndWait(String, Headers,
   * byte[], Duration)}).
   *
   * <p>On the {@linkplain Scheduler#system() system scheduler} the calling thread waits with the
   * timeout itself, so no timer task is scheduled and cancelled per request; on any other
   * scheduler (virtual time) the scheduler's timer ends the request, as for {@link #request}.
   */
  @Override
  public TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout) throws InterruptedException {
    return requestAndWait(subject, headers, payload, timeout, ReplyFilter.ANY);
  }

  /**
   * Sends a request and waits for the first reply {@code filter} accepts (see {@link
   * Transport#requestAndWait(String, Headers, byte[], Duration, ReplyFilter)}), as {@link
   * #requestAndWait(String, Headers, byte[], Duration)} waits.
   */
  @Override
  public TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout, ReplyFilter filter) throws InterruptedException {
    if (scheduler != Scheduler.system()) {
      return Transport.super.requestAndWait(subject, headers, payload, timeout, filter);
    }
    return inbox.sendAndWait(subject, headers, payload, timeout,
        Objects.requireNonNull(filter, "filter"));
  }

  /**
   * Returns at once: {@link #publish} has already handed every message to its subscriptions.
   *
   * @throws TransportException if this transport is closed
   */
  @Override
  public void flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (state.get() == CLOSED) {
      throw closed(name, "flush");
    }
  }

  /**
   * Stops every subscription from taking new messages, lets handlers finish the messages already
   * queued (they may still publish and make requests meanwhile), then closes. New subscriptions
   * are refused while draining. The future completes when closed; exceptionally if {@code
   * timeout} (measured by the scheduler) passes first, in which case the transport is closed
   * at that moment and what was still waiting is dropped and counted. Calling it again returns
   * the same future.
   */
  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<Void> result;
    List<CompletableFuture<Void>> subs = new ArrayList<>();
    synchronized (lifecycleLock) {
      if (drainResult != null) {
        return drainResult;
      }
      result = new CompletableFuture<>();
      drainResult = result;
      if (!state.compareAndSet(OPEN, DRAINING)) {
        result.complete(null); // already closed: nothing left to drain
        return result;
      }
      for (InMemorySubscription s : subscriptions) {
        subs.add(s.startDrain());
      }
      subs.add(streams.drainWorkers());
    }
    Scheduler.Cancellable timer = scheduler.schedule(timeout, () -> {
      if (result.completeExceptionally(new TransportException("Drain of " + name
          + " did not finish within " + timeout.toMillis() + " ms; it was closed, dropping what "
          + "was still waiting"))) {
        closeNow();
      }
    });
    CompletableFuture.allOf(subs.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
      timer.cancel();
      closeNow();
      if (e == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /**
   * Closes at once: subscriptions stop, messages still waiting are dropped and counted, pending
   * requests fail with {@link TransportException}, a running {@link #drain} fails. Handlers
   * already running finish on their own. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycleLock) {
      CompletableFuture<Void> d = drainResult;
      if (d != null && !d.isDone() && state.get() != CLOSED) {
        d.completeExceptionally(new TransportException(name + " was closed before its drain "
            + "finished"));
      }
    }
    closeNow();
  }

  private void closeNow() {
    int previous = state.getAndSet(CLOSED);
    if (previous == CLOSED) {
      return;
    }
    inbox.unroute();
    streams.close();
    for (InMemorySubscription s : subscriptions) {
      s.closeAndDiscard();
      server.routes.remove(s.subject(), s.queueGroup(), s);
    }
    subscriptions.clear();
    inbox.failWaiting();
    server.disconnected(this);
    events.fire(ConnectionEvent.of(ConnectionEvent.Kind.CLOSED, name + " closed"));
    executor.shutdown();
    log.debug("{} closed", name);
  }

  @Override
  public long maxPayload() {
    return maxPayload;
  }

  /**
   * The server's persistent streams, with JetStream's semantics (work-queue and limits
   * retention, message-id de-duplication, durable consumers with explicit ack, ack wait, delayed
   * redelivery, replay): durable queues and kept history are unit-testable in memory. Plain
   * publishes of any transport of the server to a stream's subject are kept too. Workers and
   * replays of this transport stop when it closes; a drain lets workers finish their item.
   */
  @Override
  public Optional<DurableStreams> durableStreams() {
    return Optional.of(streams);
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    events.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeConnectionListener(ConnectionListener listener) {
    events.remove(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Counters since creation. {@code delivered} counts messages handed to subscription handlers
   * and replies handed to requests; {@code dropped} counts slow-consumer drops, messages
   * discarded by unsubscribe or close, and replies that came after their request had ended.
   */
  @Override
  public TransportStats stats() {
    return new TransportStats(published.sum(), delivered.sum(), dropped.sum(),
        handlerFailures.sum(), slowConsumerEvents.sum(), 0);
  }

  // ------------------------------------------------------------------ inspection

  /** The server this transport is connected to. */
  public InMemoryServer server() {
    return server;
  }

  /** The connection name, used in thread names, logs and events. */
  public String name() {
    return name;
  }

  /** Subscriptions of this transport that are still active or draining. */
  public int subscriptionCount() {
    return subscriptions.size();
  }

  /**
   * Requests waiting for a reply. Zero once every request has been answered, timed out, been
   * cancelled or failed: a test can assert it to catch leaked inboxes. A request counted here
   * already has its timeout on the {@linkplain Builder#scheduler scheduler}, so a virtual-time test
   * may wait for this count and then advance the clock past the timeout.
   */
  public int pendingRequests() {
    return inbox.waiting();
  }

  /** True until {@link #close()} (or the end of a {@link #drain}). */
  public boolean isOpen() {
    return state.get() != CLOSED;
  }

  @Override
  public String toString() {
    return "InMemoryTransport{" + name + ", subscriptions=" + subscriptionCount()
        + ", pendingRequests=" + pendingRequests() + (isOpen() ? "" : ", closed") + "}";
  }

  // ------------------------------------------------------------------ package-private

  Executor executor() {
    return executor;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /** Waits for the dispatch threads to end after close; for leak tests. */
  boolean awaitThreadsTerminated(Duration timeout) throws InterruptedException {
    return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Removes a subscription from routing (it stays listed while draining). */
  void unroute(InMemorySubscription s) {
    server.routes.remove(s.subject(), s.queueGroup(), s);
  }

  /** Forgets a subscription that is closed. */
  void removed(InMemorySubscription s) {
    unroute(s);
    subscriptions.remove(s);
  }

  void countDelivered() {
    delivered.increment();
  }

  void countDropped(long n) {
    dropped.add(n);
  }

  void countHandlerFailure() {
    handlerFailures.increment();
  }

  void slowConsumer(InMemorySubscription s) {
    slowConsumerEvents.increment();
    log.warn("Slow consumer on {}: subscription '{}' has {} messages waiting, its pending limit; "
        + "new messages are dropped until it catches up (speed up its handler or raise "
        + "pendingLimit)", name, s.subject(), s.pendingLimit());
    events.fire(new ConnectionEvent(ConnectionEvent.Kind.SLOW_CONSUMER, "Subscription '"
        + s.subject() + "' on " + name + " exceeded its pending limit of " + s.pendingLimit()
        + " messages; messages are being dropped", s.subject()));
  }

  // ------------------------------------------------------------------ internals

  /** @throws PayloadTooLargeException if {@code payload} is over {@code maxPayload} */
  static void checkPayload(String subject, byte[] payload, long maxPayload) {
    if (payload.length > maxPayload) {
      throw new PayloadTooLargeException(subject, payload.length, maxPayload);
    }
  }

  private void requireAcceptingSubscriptions(String pattern) {
    if (state.get() == DRAINING) {
      throw new TransportException("Cannot subscribe to '" + pattern + "': " + name
          + " is draining");
    }
  }

  /** The error for {@code action} on transport {@code name} once it is closed. */
  static TransportException closed(String name, String action) {
    return new TransportException("Cannot " + action + ": " + name + " is closed");
  }

  /** Builds an {@link InMemoryTransport}. Not thread-safe. */
  public static final class Builder {
    private @Nullable InMemoryServer server;
    private @Nullable Long maxPayload;
    private int pendingLimit = DEFAULT_PENDING_LIMIT;
    private Scheduler scheduler = Scheduler.system();
    private @Nullable String name;

    private Builder() {}

    /** The server to connect to, shared with other transports; default a new private one. */
    public Builder server(InMemoryServer server) {
      this.server = Objects.requireNonNull(server, "server");
      return this;
    }

    /**
     * The maximum payload of the private server this builder creates; default 1 MiB. A shared
     * server owns its own limit (as a NATS server announces it), so combining this with {@link
     * #server} fails at {@link #build()}.
     */
    public Builder maxPayload(long bytes) {
      if (bytes <= 0) {
        throw new ConfigurationException("maxPayload must be positive, was " + bytes);
      }
      this.maxPayload = bytes;
      return this;
    }

    /**
     * How many messages a subscription may hold waiting for its handler before new ones are
     * dropped (slow consumer); default {@value InMemoryTransport#DEFAULT_PENDING_LIMIT}.
     */
    public Builder pendingLimit(int messages) {
      if (messages <= 0) {
        throw new ConfigurationException("pendingLimit must be positive, was " + messages);
      }
      this.pendingLimit = messages;
      return this;
    }

    /**
     * The timer for request and drain timeouts; default {@link Scheduler#system()}. A private
     * server (no {@link #server}) also runs its persistent streams on it.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The connection name shown in logs, events and thread names; default {@code inmemory-N}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new ConfigurationException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * @throws ConfigurationException if both {@link #server} and {@link #maxPayload} were set
     */
    public InMemoryTransport build() {
      InMemoryServer s = server;
      if (s == null) {
        InMemoryServer.Builder sb = InMemoryServer.builder().scheduler(scheduler);
        if (maxPayload != null) {
          sb.maxPayload(maxPayload);
        }
        s = sb.build();
      } else if (maxPayload != null) {
        throw new ConfigurationException("maxPayload belongs to the shared InMemoryServer (as a "
            + "NATS server announces it); set it with InMemoryServer.builder().maxPayload(...)");
      }
      return new InMemoryTransport(this, s);
    }
  }
}
