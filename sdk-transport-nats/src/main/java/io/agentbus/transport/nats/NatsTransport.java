package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.NoRespondersException;
import io.agentbus.PayloadTooLargeException;
import io.agentbus.RequestTimeoutException;
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
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} on a NATS server, through one jnats connection. Create one per process and
 * share it (through one {@link io.agentbus.MessageBus}) between every agent of the process:
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .transport(NatsTransport.connect(NatsTransportConfig.fromEnvironment()))
 *     .codec(JsonCodec.create())
 *     .build();
 * }</pre>
 *
 * <p><b>Delivery.</b> The subscriptions share one jnats dispatcher thread, which only queues each
 * message for its subscription; a thread of the transport's handler pool calls each
 * subscription's handler one message at a time, in order, and only while that subscription has
 * messages waiting, so idle subscriptions cost no thread and the number of threads does not grow
 * with the number of subscriptions. A handler that blocks, publishes or makes requests delays only
 * its own subscription: it holds one pool thread, and when no handler has returned for 10 ms while
 * work waits, the pool adds threads (up to 1,024 handlers blocked at once; see {@code
 * HandlerPool}). A subscription holds at most {@link NatsTransportConfig#pendingMessages()}
 * messages (and {@link NatsTransportConfig#pendingBytes()} bytes) that its handler has not taken
 * yet; past that it is a slow consumer: newer messages are dropped, counted in {@link #stats()} and
 * {@link TransportSubscription#droppedMessages()}, logged, and reported to the connection
 * listeners as {@link ConnectionEvent.Kind#SLOW_CONSUMER} with the subscription's subject, while
 * every other subscription keeps receiving.
 *
 * <p><b>Requests.</b> A request to a subject nobody subscribes to fails at once with {@link
 * NoRespondersException} (the server's no-responders status); one that gets no reply in time
 * fails with {@link RequestTimeoutException}. Their futures complete on a transport thread, never
 * on the connection's own reply thread, so a callback that blocks cannot hold up other replies.
 * Nothing stays behind a completed, timed-out or cancelled request.
 *
 * <p><b>Outages.</b> When the connection drops, jnats reconnects (every {@link
 * NatsTransportConfig#reconnectWait()}, up to {@link NatsTransportConfig#maxReconnects()} times)
 * and re-establishes every subscription and queue group membership; nothing is asked of the user.
 * Publishes made meanwhile are buffered up to {@link NatsTransportConfig#reconnectBufferSize()}
 * bytes and sent on reconnect; a publish past that fails at once with a retriable {@link
 * TransportException} and is counted as dropped. Core NATS is at-most-once: messages the server
 * sent while this client was away are lost without the client knowing; what the client itself
 * could not deliver is counted in {@link #stats()}.
 *
 * <p><b>Stopping.</b> {@link #drain(Duration)} is the graceful stop: it stops the subscriptions
 * from taking new messages, lets handlers finish what they received, flushes and closes; {@link
 * #drain()} does it with {@link NatsTransportConfig#drainTimeout()}. {@link #close()} closes at once,
 * as the {@link Transport} contract says: messages still waiting are discarded and counted as
 * dropped. Both are bounded whatever the server's state: a drain ends within its timeout plus
 * {@link #STOP_MARGIN}, a close within {@link #STOP_MARGIN}, also while the server is unreachable.
 *
 * <p>Errors of jnats are translated at this class's edge into {@link
 * io.agentbus.AgentBusException}s; no jnats type appears in its API. Thread-safe.
 */
public final class NatsTransport implements Transport {
  // This class sends (publish, the sending of requests, flush) and hands the rest to its parts:
  // NatsSubscriptions (subscriptions on one shared dispatcher, handled on a pool), NatsRequests (timeouts and
  // completion of requests), NatsShutdown (bounded drain and close), NatsConnectionEvents
  // (jnats' callbacks to connection listeners), NatsCounters (stats), NatsTransportState (open,
  // draining, closed) and NatsConnectionOptions (config to jnats Options). They share state and
  // counters rather than asking this class, so a message costs what it did before the split.
  private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
  /** Default payload limit until the server has said otherwise. */
  private static final long DEFAULT_MAX_PAYLOAD = 1024 * 1024;
  /**
   * How long stopping may take beyond its timeout: {@link #close()} waits this long at most for
   * jnats to close the connection, {@link #drain(Duration)} completes within its timeout plus
   * this.
   */
  public static final Duration STOP_MARGIN = Duration.ofSeconds(1);
  private static final ThreadLocal<@Nullable NatsTransport> IN_HANDLER = new ThreadLocal<>();

  private final FlushRounds flushRounds = new FlushRounds(this::flushOnce);
  private final NatsTransportConfig config;
  private final Connection connection;
  private final NatsTransportState state = new NatsTransportState();
  private final NatsCounters counters = new NatsCounters();
  // the counters' own adders, held here so that counting a message reads one object, not two
  private final LongAdder published = counters.published;
  private final LongAdder delivered = counters.delivered;
  private volatile @Nullable ConvertedHeaders lastConverted;

  private final NatsConnectionEvents events;
  private final NatsPermissionDenials denials;
  private final NatsSubscriptions subscriptions;
  private final NatsRequests requests;
  private final NatsReplies replies;
  private final NatsShutdown shutdown;
  private final JetStreamStreams jetStream;

  private NatsTransport(NatsTransportConfig config) {
    this.config = config;
    String name = config.connectionName();
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, daemon("agentbus-nats-timer-" + name));
    timer.setRemoveOnCancelPolicy(true);
    ThreadPoolExecutor completions = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("agentbus-nats-reply-" + name));
    completions.allowCoreThreadTimeOut(true);
    // two: a drain waits for the JetStream workers on one while subscriptions stop on the other
    ThreadPoolExecutor lifecycle = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("agentbus-nats-lifecycle-" + name));
    lifecycle.allowCoreThreadTimeOut(true);
    // a few threads, more only while handlers block (one must not hold back another
    // subscription)
    HandlerPool handlers = new HandlerPool(daemon("agentbus-nats-handler-" + name),
        daemon("agentbus-nats-handler-watch-" + name));
    this.events = new NatsConnectionEvents(config, state, counters);
    this.denials = events.denials();
    Connection c;
    try {
      c = firstConnect(config, events);
    } catch (RuntimeException e) {
      NatsShutdown.shutdownExecutors(timer, completions, lifecycle, handlers);
      throw e;
    }
    this.connection = c;
    this.jetStream = new JetStreamStreams(c, config.jetStreamApiTimeout(), name);
    this.subscriptions = new NatsSubscriptions(this, c, state, handlers, lifecycle);
    this.requests = new NatsRequests(state, timer, completions);
    this.replies = new NatsReplies(c, counters.dropped);
    this.shutdown = new NatsShutdown(config, c, state, counters, subscriptions, jetStream, events,
        timer, completions, lifecycle, handlers, () -> IN_HANDLER.get() == this);
    events.connected(c, subscriptions);
    log.info("Connected to NATS at {} as '{}' (max payload {} bytes)",
        c.getConnectedUrl(), name, c.getMaxPayload());
  }

  /**
   * The first connect: tried again while no server answers, until {@link
   * NatsTransportConfig#connectRetry()} has passed; a failure that waiting cannot mend (refused
   * credentials, TLS) ends it at once.
   */
  private static Connection firstConnect(NatsTransportConfig config,
      NatsConnectionEvents events) {
    long deadline = System.nanoTime() + config.connectRetry().toNanos();
    int attempt = 0;
    while (true) {
      attempt++;
      events.newConnectAttempt();
      TransportException failure;
      try {
        return Nats.connect(NatsConnectionOptions.of(config, events));
      } catch (RuntimeException | IOException | InterruptedException e) {
        failure = NatsConnectFailures.of(config, e, events.connectProblems(),
            events.connectServerError());
      }
      long left = deadline - System.nanoTime();
      if (!failure.isRetriable() || left <= 0 || Thread.currentThread().isInterrupted()) {
        throw failure;
      }
      long pause = Math.min(left, Math.max(config.reconnectWait().toNanos(),
          TimeUnit.MILLISECONDS.toNanos(100)));
      log.info("NATS is not reachable yet (attempt {}); trying again for up to {} s more ({})",
          attempt, TimeUnit.NANOSECONDS.toSeconds(left),
          NatsTransportConfig.Key.CONNECT_RETRY.property());
      try {
        TimeUnit.NANOSECONDS.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("Interrupted while waiting to connect to NATS", e, true);
      }
    }
  }

  /**
   * Connects with {@code config}, and returns once connected.
   *
   * @throws TransportException when no server could be reached (retriable) or the server refused
   *     the credentials (not retriable); the message names the servers and the problem
   * @throws ConfigurationException when the configuration cannot be used
   */
  public static NatsTransport connect(NatsTransportConfig config) {
    return new NatsTransport(Objects.requireNonNull(config, "config"));
  }

  /** Connects with {@link NatsTransportConfig#fromEnvironment()}. */
  public static NatsTransport connect() {
    return connect(NatsTransportConfig.fromEnvironment());
  }

  /** The configuration this transport was created with. */
  public NatsTransportConfig config() {
    return config;
  }

  /** True while connected to a server (false while reconnecting, and once closed). */
  public boolean isConnected() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  /** The URL of the server currently connected to, or null while disconnected. */
  public @Nullable String connectedServer() {
    String url = connection.getConnectedUrl();
    return url == null || !isConnected() ? null : NatsTransportConfig.redactUrls(url);
  }

  // ------------------------------------------------------------------ publish

  /**
   * {@inheritDoc}
   *
   * <p>While reconnecting the message is buffered; past {@link
   * NatsTransportConfig#reconnectBufferSize()} this throws a retriable {@link TransportException}
   * and counts the message as dropped.
   *
   * @throws io.agentbus.InvalidSubjectException if a subject is not valid
   * @throws PayloadTooLargeException if payload and headers exceed {@link #maxPayload()}
   */
  @Override
  public void publish(String subject, @Nullable String replyTo, Headers headers, byte[] payload) {
    Subjects.requireSubject("subject", subject);
    if (replyTo != null) {
      Subjects.requireSubject("reply subject", replyTo);
    }
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(payload, "payload");
    state.checkNotClosed();
    io.nats.client.impl.Headers natsHeaders = natsHeaders(headers);
    checkSize(subject, natsHeaders, payload);
    denials.checkPublish(subject);
    try {
      connection.publish(subject, replyTo, natsHeaders, payload);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw publishFailure(subject, e);
    }
    published.increment();
  }

  /**
   * The jnats form of {@code headers}. A bus publishes the same {@link Headers} instance for every
   * message of one content type, so the last conversion is kept and reused while the same
   * instance comes again: no conversion, copy or serialisation of headers on most publishes.
   */
  private io.nats.client.impl.@Nullable Headers natsHeaders(Headers headers) {
    if (headers.isEmpty()) {
      return null;
    }
    ConvertedHeaders last = lastConverted;
    if (last != null && last.headers == headers) {
      return last.nats;
    }
    io.nats.client.impl.Headers nats = HeaderMapping.toNats(headers);
    lastConverted = new ConvertedHeaders(headers, nats);
    return nats;
  }

  private static final class ConvertedHeaders {
    final Headers headers;
    final io.nats.client.impl.@Nullable Headers nats;

    ConvertedHeaders(Headers headers, io.nats.client.impl.@Nullable Headers nats) {
      this.headers = headers;
      this.nats = nats;
    }
  }

  private void checkSize(String subject, io.nats.client.impl.@Nullable Headers headers,
      byte[] payload) {
    long max = maxPayload();
    long size = payload.length + (headers == null ? 0L : headers.serializedLength());
    if (size > max) {
      throw new PayloadTooLargeException(subject, size, max);
    }
  }

  /**
   * Translates jnats' refusal of a publish. jnats says why only in its message text, so the
   * reason is read from the states instead: this transport's, then the connection's.
   */
  private TransportException publishFailure(String subject, RuntimeException e) {
    if (e instanceof IllegalStateException) {
      NatsTransportState.State s = state.get();
      Connection.Status status = connection.getStatus();
      if (s == NatsTransportState.State.CLOSED || status == Connection.Status.CLOSED) {
        return state.closedException(e);
      }
      if (s == NatsTransportState.State.DRAINING) {
        return new TransportException("The NATS transport is draining and takes no more "
            + "messages (the message to '" + subject + "' was not sent)", e, false);
      }
      counters.dropped.increment();
      if (status != Connection.Status.CONNECTED) {
        return new TransportException("NATS is reconnecting and its reconnect buffer is full ("
            + NatsTransportConfig.Key.RECONNECT_BUFFER_SIZE.property() + " = "
            + config.reconnectBufferSize() + " bytes): the message to '" + subject
            + "' was not sent and is counted as dropped; retry once the connection is back", e,
            true);
      }
      return new TransportException("The outgoing queue is full ("
          + NatsTransportConfig.Key.OUTGOING_QUEUE_SIZE.property() + " = "
          + config.outgoingQueueSize() + " messages): the message to '" + subject
          + "' was not sent and is counted as dropped; the connection is not keeping up", e,
          true);
    }
    return new TransportException("Could not publish to '" + subject + "': " + e.getMessage(),
        e, false);
  }

  // ------------------------------------------------------------------ subscribe

  /**
   * {@inheritDoc}
   *
   * <p>The subscriptions share one dispatcher thread; handlers run on the handler pool.
   *
   * @throws io.agentbus.InvalidSubjectException if the pattern or queue group is not valid
   * @throws TransportException if the transport is draining or closed
   */
  @Override
  public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    return subscriptions.subscribe(subjectPattern, queueGroup, handler);
  }

  // ------------------------------------------------------------------ request

  /**
   * {@inheritDoc}
   *
   * <p>The future completes on a transport thread. It fails with {@link TransportException} when
   * the transport closes before a reply came.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout) {
    return requests.reply(subject, timeout, sendRequest(subject, headers, payload, timeout, null));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Waits for jnats' reply future on the calling thread, with the timeout of a timed wait: no
   * timer task and no completing thread stand between the reply and the caller.
   */
  @Override
  public TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout) throws InterruptedException {
    return requests.awaitReply(subject, timeout,
        sendRequest(subject, headers, payload, timeout, null));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The reply subject is one of this connection's inbox (with its inbox prefix); a refused
   * reply counts as dropped in {@link #stats()}.
   */
  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout, ReplyFilter filter) {
    return requests.reply(subject, timeout, sendRequest(subject, headers, payload, timeout,
        Objects.requireNonNull(filter, "filter")));
  }

  /** {@inheritDoc} Waits as {@link #requestAndWait(String, Headers, byte[], Duration)} does. */
  @Override
  public TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout, ReplyFilter filter) throws InterruptedException {
    return requests.awaitReply(subject, timeout, sendRequest(subject, headers, payload, timeout,
        Objects.requireNonNull(filter, "filter")));
  }

  /**
   * Validates and sends a request, whose reply {@link NatsRequests} then waits for: with jnats'
   * request when any reply will do, else on {@link NatsReplies}, which keeps waiting past
   * replies {@code filter} refuses.
   */
  private CompletableFuture<Message> sendRequest(String subject, Headers headers, byte[] payload,
      Duration timeout, @Nullable ReplyFilter filter) {
    Subjects.requireSubject("subject", subject);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Request timeout must be positive, was " + timeout);
    }
    state.checkNotClosed();
    io.nats.client.impl.Headers natsHeaders = natsHeaders(headers);
    checkSize(subject, natsHeaders, payload);
    denials.checkPublish(subject);
    CompletableFuture<Message> natsFuture;
    try {
      natsFuture = filter == null || filter == ReplyFilter.ANY
          ? connection.requestWithTimeout(subject, natsHeaders, payload, timeout)
          : replies.send(subject, natsHeaders, payload, filter);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw publishFailure(subject, e);
    }
    denials.watch(subject, natsFuture);
    published.increment();
    return natsFuture;
  }

  // ------------------------------------------------------------------ flush, drain, close

  /**
   * {@inheritDoc}
   *
   * @throws TransportException (retriable) when the server did not answer in time, for example
   *     while reconnecting; (not retriable) when the transport is closed
   */
  @Override
  public void flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    state.checkNotClosed();
    try {
      // Each jnats flush is a PING; concurrent flushes (many agents starting at once) would
      // exceed max-pings-out and make jnats drop a healthy connection: they share rounds
      flushRounds.flush(timeout);
    } catch (TimeoutException e) {
      if (state.get() == NatsTransportState.State.CLOSED) {
        throw state.closedException(e);
      }
      throw new TransportException("NATS flush did not complete within " + timeout.toMillis()
          + " ms" + (isConnected() ? "" : " (the connection is down and reconnecting)"), e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while flushing to NATS", e, true);
    } catch (IllegalStateException e) {
      throw state.closedException(e);
    }
  }

  /** One round of {@link #flushRounds}: the PING, then what the server refused before its PONG. */
  private void flushOnce(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    connection.flush(timeout);
    // a refusal the server sent before its answer is known now, not only to the listeners
    String lastError = connection.getLastError();
    if (lastError != null) {
      denials.absorb(lastError);
      connection.clearLastError();
      denials.awaitHeard(connection.getStatistics().getErrs(),
          Math.max(0, deadline - System.nanoTime()));
    }
  }

  /**
   * {@link #drain(Duration)} with {@link NatsTransportConfig#drainTimeout()}: the graceful stop
   * of callers that have no timeout of their own.
   */
  public CompletableFuture<Void> drain() {
    return drain(config.drainTimeout());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Bounded whatever the server does: the future completes, and the transport is closed,
   * within {@code timeout} plus {@link #STOP_MARGIN}, also while the server is unreachable and
   * jnats is reconnecting. A timeout of zero, or a drain while disconnected (nothing can be
   * flushed), closes at once as {@link #close()} does. Calling it again returns the same future.
   */
  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    CompletableFuture<Void> drained = shutdown.drain(timeout);
    drained.whenComplete((v, e) -> replies.cancelAll());
    return drained;
  }

  /**
   * Closes at once, without draining: messages that subscriptions received and their handlers
   * have not taken, and publishes still buffered during an outage, are discarded and counted as
   * dropped. A running handler is not interrupted. A drain under way ends with it, its future
   * failing. Never throws; idempotent; returns within {@link #STOP_MARGIN} whatever the server
   * state (at once when called from one of this transport's handlers). Use {@link
   * #drain(Duration)} to let handlers finish first.
   */
  @Override
  public void close() {
    shutdown.close();
    replies.cancelAll();
  }

  // ------------------------------------------------------------------ info

  /** The server's announced maximum payload (headers included), or 1 MiB before it is known. */
  @Override
  public long maxPayload() {
    long max = connection.getMaxPayload();
    return max > 0 ? max : DEFAULT_MAX_PAYLOAD;
  }

  /**
   * JetStream through this transport's connection: durable work queues, kept history and replay
   * (see {@link DurableStreams}). Always present; on a server without JetStream its methods fail
   * with an error saying so.
   */
  @Override
  public Optional<DurableStreams> durableStreams() {
    return Optional.of(jetStream);
  }

  /** {@inheritDoc} Under this connection's {@link NatsTransportConfig#inboxPrefix()}. */
  @Override
  public String newInbox() {
    return connection.createInbox();
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    events.addListener(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeConnectionListener(ConnectionListener listener) {
    events.removeListener(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code dropped} counts slow-consumer drops (including replies), messages discarded by
   * unsubscribing or closing, and publishes refused or lost while reconnecting.
   */
  @Override
  public TransportStats stats() {
    return counters.snapshot(connection.getStatistics().getDroppedCount());
  }

  @Override
  public String toString() {
    return "NatsTransport{" + config.connectionName() + ", server="
        + (connectedServer() == null ? "none" : connectedServer()) + ", " + state.get() + "}";
  }

  // ------------------------------------------------------------------ package-private plumbing

  NatsPermissionDenials denials() {
    return denials;
  }

  boolean isOpen() {
    return state.isOpen();
  }

  void countDelivered() {
    delivered.increment();
  }

  void countHandlerFailure() {
    counters.handlerFailures.increment();
  }

  void countDiscarded(long n) {
    counters.dropped.add(n);
  }

  void forget(NatsTransportSubscription s) {
    subscriptions.forget(s);
  }

  /** See {@link NatsSubscriptions#drain}. */
  void drainSubscriptions(List<NatsTransportSubscription> subs, Duration timeout) {
    subscriptions.drain(subs, timeout);
  }

  /** The queue of {@code s} dropped its first message of a burst. */
  void slowConsumer(NatsTransportSubscription s) {
    events.slowConsumer(s.subject(), s.queue().maxMessages(), s.queue().maxBytes());
  }

  /** Requests issued and not yet completed, for leak checks. */
  int openRequests() {
    return requests.open();
  }

  /** Requests jnats still tracks, for leak checks. */
  long natsOutstandingRequests() {
    return connection.getStatistics().getOutstandingRequests() + replies.waiting();
  }

  /** Timeout tasks scheduled and not yet run or cancelled, for leak checks. */
  int scheduledTimeouts() {
    return requests.scheduledTimeouts();
  }

  /** Live subscriptions, for leak checks. */
  int subscriptionCount() {
    return subscriptions.count();
  }

  static @Nullable NatsTransport enterHandler(NatsTransport t) {
    NatsTransport previous = IN_HANDLER.get();
    IN_HANDLER.set(t);
    return previous;
  }

  static void leaveHandler(@Nullable NatsTransport previous) {
    // set, not remove: a null entry holds nothing, and remove costs each message a JNI call
    IN_HANDLER.set(previous);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
