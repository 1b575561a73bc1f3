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
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
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
 * <p><b>Delivery.</b> Each subscription has a dispatcher thread of its own that calls its handler
 * one message at a time, in order; a handler that blocks, publishes or makes requests delays only
 * its own subscription. A subscription holds at most {@link NatsTransportConfig#pendingMessages()}
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
  private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
  /** Default payload limit until the server has said otherwise. */
  private static final long DEFAULT_MAX_PAYLOAD = 1024 * 1024;
  /** How often jnats purges finished requests from its table. */
  private static final Duration REQUEST_CLEANUP_INTERVAL = Duration.ofSeconds(1);
  /** Extra time given to jnats' own drain bookkeeping beyond the caller's timeout. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);
  /**
   * How long stopping may take beyond its timeout: {@link #close()} waits this long at most for
   * jnats to close the connection, {@link #drain(Duration)} completes within its timeout plus
   * this.
   */
  public static final Duration STOP_MARGIN = Duration.ofSeconds(1);
  private static final ThreadLocal<@Nullable NatsTransport> IN_HANDLER = new ThreadLocal<>();

  private enum State { OPEN, DRAINING, CLOSED }

  private final java.util.concurrent.locks.ReentrantLock flushLock =
      new java.util.concurrent.locks.ReentrantLock();
  private final NatsTransportConfig config;
  private final Connection connection;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
  private final AtomicBoolean closedByUs = new AtomicBoolean();
  private final AtomicBoolean closedEventSent = new AtomicBoolean();
  private final AtomicBoolean unsentCounted = new AtomicBoolean();
  private final AtomicBoolean disconnected = new AtomicBoolean();
  /** False during the first connect, whose failures are reported by {@link #connect} itself. */
  private volatile boolean connectedOnce;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final CopyOnWriteArrayList<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<NatsTransportSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final Map<Consumer, NatsTransportSubscription> byDispatcher = new ConcurrentHashMap<>();

  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder handlerFailures = new LongAdder();
  private final LongAdder slowConsumerEvents = new LongAdder();
  private final LongAdder droppedHere = new LongAdder();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicInteger openRequests = new AtomicInteger();
  private volatile @Nullable ConvertedHeaders lastConverted;

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor completions;
  private final ThreadPoolExecutor lifecycle;
  private final JetStreamStreams jetStream;

  private NatsTransport(NatsTransportConfig config) {
    this.config = config;
    String name = config.connectionName();
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("agentbus-nats-timer-" + name));
    timer.setRemoveOnCancelPolicy(true);
    this.completions = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("agentbus-nats-reply-" + name));
    completions.allowCoreThreadTimeOut(true);
    // two: a drain waits for the JetStream workers on one while subscriptions stop on the other
    this.lifecycle = new ThreadPoolExecutor(2, 2, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon("agentbus-nats-lifecycle-" + name));
    lifecycle.allowCoreThreadTimeOut(true);
    Connection c;
    try {
      c = Nats.connect(options(config));
    } catch (RuntimeException | IOException | InterruptedException e) {
      shutdownExecutors();
      throw connectFailure(config, e);
    }
    this.connection = c;
    this.jetStream = new JetStreamStreams(c, config.jetStreamApiTimeout(), name);
    connectedOnce = true;
    log.info("Connected to NATS at {} as '{}' (max payload {} bytes)",
        c.getConnectedUrl(), name, c.getMaxPayload());
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
    checkNotClosed();
    io.nats.client.impl.Headers natsHeaders = natsHeaders(headers);
    checkSize(subject, natsHeaders, payload);
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
      State s = state.get();
      Connection.Status status = connection.getStatus();
      if (s == State.CLOSED || status == Connection.Status.CLOSED) {
        return closedException(e);
      }
      if (s == State.DRAINING) {
        return new TransportException("The NATS transport is draining and takes no more "
            + "messages (the message to '" + subject + "' was not sent)", e, false);
      }
      droppedHere.increment();
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
   * <p>Each subscription has its own dispatcher thread.
   *
   * @throws io.agentbus.InvalidSubjectException if the pattern or queue group is not valid
   * @throws TransportException if the transport is draining or closed
   */
  @Override
  public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    Subjects.requirePattern("subject pattern", subjectPattern);
    if (queueGroup != null) {
      Subjects.requireToken("queue group", queueGroup);
    }
    Objects.requireNonNull(handler, "handler");
    checkOpen();
    NatsTransportSubscription s =
        new NatsTransportSubscription(this, subjectPattern, queueGroup, handler);
    Dispatcher d = null;
    try {
      d = connection.createDispatcher(s::onMessage);
      d.setPendingLimits(config.pendingMessages(), config.pendingBytes());
      s.attach(d);
      byDispatcher.put(d, s);
      subscriptions.add(s);
      if (queueGroup == null) {
        d.subscribe(subjectPattern);
      } else {
        d.subscribe(subjectPattern, queueGroup);
      }
    } catch (IllegalStateException | IllegalArgumentException e) {
      forget(s);
      if (d != null) {
        try {
          connection.closeDispatcher(d);
        } catch (RuntimeException ignored) {
          // already closed with its connection
        }
      }
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw closedException(e);
      }
      throw new TransportException("Could not subscribe to '" + subjectPattern + "': "
          + e.getMessage(), e, false);
    }
    return s;
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
    CompletableFuture<Message> natsFuture = sendRequest(subject, headers, payload, timeout);
    CompletableFuture<TransportMessage> result = new CompletableFuture<>();
    ScheduledFuture<?> timeoutTask;
    try {
      timeoutTask = timer.schedule(() -> {
        if (!result.isDone()) {
          completeLater(result, null, new RequestTimeoutException(subject, timeout));
        }
        natsFuture.cancel(false);
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      natsFuture.cancel(false);
      openRequests.decrementAndGet();
      throw closedException(e);
    }
    natsFuture.whenComplete((reply, error) -> {
      timeoutTask.cancel(false);
      if (error == null) {
        completeLater(result, HeaderMapping.fromNats(reply), null);
      } else {
        completeLater(result, null, requestFailure(subject, timeout, error));
      }
    });
    result.whenComplete((r, e) -> {
      openRequests.decrementAndGet();
      if (e instanceof CancellationException) {
        timeoutTask.cancel(false);
        natsFuture.cancel(false);
      }
    });
    return result;
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
    CompletableFuture<Message> natsFuture = sendRequest(subject, headers, payload, timeout);
    try {
      return HeaderMapping.fromNats(natsFuture.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      natsFuture.cancel(false);
      throw new RequestTimeoutException(subject, timeout);
    } catch (ExecutionException e) {
      throw requestFailure(subject, timeout, e.getCause());
    } catch (CancellationException e) {
      throw requestFailure(subject, timeout, e); // jnats gave up on it, or the connection closed
    } catch (InterruptedException e) {
      natsFuture.cancel(false);
      throw e;
    } finally {
      openRequests.decrementAndGet();
    }
  }

  /** Validates and sends a request; the caller must decrement {@link #openRequests} when done. */
  private CompletableFuture<Message> sendRequest(String subject, Headers headers, byte[] payload,
      Duration timeout) {
    Subjects.requireSubject("subject", subject);
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Request timeout must be positive, was " + timeout);
    }
    checkNotClosed();
    io.nats.client.impl.Headers natsHeaders = natsHeaders(headers);
    checkSize(subject, natsHeaders, payload);
    CompletableFuture<Message> natsFuture;
    try {
      natsFuture = connection.requestWithTimeout(subject, natsHeaders, payload, timeout);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw publishFailure(subject, e);
    }
    published.increment();
    openRequests.incrementAndGet();
    return natsFuture;
  }

  private RuntimeException requestFailure(String subject, Duration timeout, Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof JetStreamStatusException
        && ((JetStreamStatusException) t).getStatus().isNoResponders()) {
      return new NoRespondersException(subject);
    }
    if (state.get() != State.OPEN) {
      return new TransportException("The NATS transport closed before a reply to the request on '"
          + subject + "' came", t, false);
    }
    if (t instanceof CancellationException || t instanceof TimeoutException) {
      return new RequestTimeoutException(subject, timeout);
    }
    return new TransportException("The request on '" + subject + "' failed: " + t, t, false);
  }

  // Completes off the connection's threads, so that dependent stages cannot block jnats.
  private <T> void completeLater(CompletableFuture<T> f, @Nullable T value,
      @Nullable Throwable error) {
    Runnable complete = () -> {
      if (error == null) {
        f.complete(value);
      } else {
        f.completeExceptionally(error);
      }
    };
    try {
      completions.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
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
    checkNotClosed();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean locked = false;
    try {
      // Each jnats flush is a PING; concurrent flushes (many agents starting at once) would
      // exceed max-pings-out and make jnats drop a healthy connection. One at a time.
      locked = flushLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (!locked) {
        throw new TimeoutException("waiting for other flushes");
      }
      long left = Math.max(1, deadline - System.nanoTime());
      connection.flush(Duration.ofNanos(left));
    } catch (TimeoutException e) {
      if (state.get() == State.CLOSED) {
        throw closedException(e);
      }
      throw new TransportException("NATS flush did not complete within " + timeout.toMillis()
          + " ms" + (isConnected() ? "" : " (the connection is down and reconnecting)"), e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("Interrupted while flushing to NATS", e, true);
    } catch (IllegalStateException e) {
      throw closedException(e);
    } finally {
      if (locked) {
        flushLock.unlock();
      }
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
    if (!state.compareAndSet(State.OPEN, State.DRAINING)) {
      return terminated;
    }
    if (timeout.isZero() || timeout.isNegative()) {
      finish(null, null);
      return terminated;
    }
    if (!isConnected()) {
      log.warn("Draining the NATS transport while disconnected: nothing can be flushed; closing");
      finish(null, null);
      return terminated;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String late = "NATS drain did not finish within " + timeout.toMillis() + " ms";
    try {
      // whatever jnats does meanwhile, the transport is closed at the deadline
      timer.schedule(() -> finish(late, null), timeout.toNanos(), TimeUnit.NANOSECONDS);
      // Each subscription and JetStream worker drains by itself, then the connection is flushed
      // and closed. Not jnats' connection drain: a connection draining ignores close() until its
      // own drain ends, and the transport must be able to close at its deadline.
      List<CompletableFuture<?>> parts = new ArrayList<>();
      parts.add(CompletableFuture.runAsync(() -> jetStream.drainWorkers(timeout), lifecycle));
      for (NatsTransportSubscription s : subscriptions) {
        parts.add(s.drain(timeout));
      }
      CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
          .whenComplete((v, error) -> flushThenFinish(deadline, late, error));
    } catch (RejectedExecutionException e) {
      finish(null, null);
    }
    return terminated;
  }

  /** Flushes what the handlers published while draining, then closes. */
  private void flushThenFinish(long deadline, String late, @Nullable Throwable drainError) {
    Runnable flushAndClose = () -> {
      Throwable error = drainError;
      if (error == null) {
        try {
          connection.flush(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1),
              deadline - System.nanoTime())));
        } catch (TimeoutException | IllegalStateException e) {
          error = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          error = e;
        }
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      finish(cause == null ? null : late + ": " + cause.getMessage(), cause);
    };
    try {
      lifecycle.execute(flushAndClose);
    } catch (RejectedExecutionException e) {
      // already closed: at the deadline, or by close()
    }
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
    State was = state.getAndSet(State.CLOSED);
    finish(was == State.DRAINING ? "The NATS transport was closed before its drain finished"
        : null, null);
  }

  private void finish(@Nullable String problem, @Nullable Throwable cause) {
    if (!closedByUs.compareAndSet(false, true)) {
      return;
    }
    state.set(State.CLOSED);
    jetStream.stopAll();
    long unsent = closeConnection();
    for (NatsTransportSubscription s : subscriptions) {
      s.closedWithConnection();
    }
    subscriptions.clear();
    byDispatcher.clear();
    if (unsent > 0) {
      droppedHere.add(unsent);
      log.warn("{} publishes buffered during the outage were never sent; counted as dropped",
          unsent);
    }
    emitClosed("closed by the application");
    if (problem == null) {
      terminated.complete(null);
    } else {
      log.warn("{}; the transport is closed", problem);
      terminated.completeExceptionally(new TransportException(problem
          + "; the transport is closed anyway", cause, false));
    }
    shutdownExecutors(); // last: it interrupts the timer thread, which may be this one
  }

  /**
   * Closes the jnats connection and returns how many publishes it still held unsent (0 when it
   * was connected, or when that could not be learnt). While the server is unreachable, jnats'
   * reconnect loop holds the lock that both the count and {@code close()} take, for as long as it
   * keeps trying; so both run on a helper thread, and after {@link #STOP_MARGIN} the transport
   * stops waiting: it is closed for its users, and the helper ends once jnats lets it.
   */
  private long closeConnection() {
    boolean countUnsent = connection.getStatus() != Connection.Status.CONNECTED
        && unsentCounted.compareAndSet(false, true);
    AtomicLong unsent = new AtomicLong(-1);
    Thread closer = new Thread(() -> {
      if (countUnsent) {
        unsent.set(connection.outgoingPendingMessageCount());
      }
      try {
        connection.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.debug("Error while closing the NATS connection", e);
      }
    }, "agentbus-nats-close-" + config.connectionName());
    closer.setDaemon(true);
    closer.start();
    if (IN_HANDLER.get() == this) {
      return 0; // jnats' close may wait for this very handler to return
    }
    try {
      closer.join(STOP_MARGIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      log.warn("The NATS connection did not close within {} ms (the server is unreachable and "
          + "jnats is still trying to reconnect); the transport is closed, and jnats' threads "
          + "end once its current attempt does", STOP_MARGIN.toMillis());
      return 0;
    }
    return Math.max(0, unsent.get());
  }

  private void shutdownExecutors() {
    timer.shutdownNow();
    completions.shutdown();
    lifecycle.shutdown();
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

  @Override
  public void addConnectionListener(ConnectionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@code dropped} counts slow-consumer drops (including replies), messages discarded by
   * unsubscribing or closing, and publishes refused or lost while reconnecting.
   */
  @Override
  public TransportStats stats() {
    long slowDrops = connection.getStatistics().getDroppedCount();
    return new TransportStats(published.sum(), delivered.sum(), slowDrops + droppedHere.sum(),
        handlerFailures.sum(), slowConsumerEvents.sum(), reconnects.get());
  }

  @Override
  public String toString() {
    return "NatsTransport{" + config.connectionName() + ", server="
        + (connectedServer() == null ? "none" : connectedServer()) + ", " + state.get() + "}";
  }

  // ------------------------------------------------------------------ package-private plumbing

  boolean isOpen() {
    return state.get() == State.OPEN;
  }

  void countDelivered() {
    delivered.increment();
  }

  void countHandlerFailure() {
    handlerFailures.increment();
  }

  void countDiscarded(long n) {
    droppedHere.add(n);
  }

  void forget(NatsTransportSubscription s) {
    subscriptions.remove(s);
    Dispatcher d = s.dispatcher();
    if (d != null) {
      byDispatcher.remove(d);
    }
  }

  /**
   * Stops a dispatcher through jnats' drain, off the caller's thread: the drain sends the
   * unsubscribe and flushes, which waits for the server.
   */
  CompletableFuture<Boolean> stopDispatcherAsync(Dispatcher d, Duration timeout) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Runnable stop = () -> {
      try {
        d.drain(timeout).whenComplete((ok, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(ok);
          }
        });
      } catch (IllegalStateException e) {
        result.complete(true); // already stopped with its connection
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(e);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    };
    try {
      lifecycle.execute(stop);
    } catch (RejectedExecutionException e) {
      result.complete(true);
    }
    return result.orTimeout(timeout.plus(DRAIN_GRACE).toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Requests issued and not yet completed, for leak checks. */
  int openRequests() {
    return openRequests.get();
  }

  /** Requests jnats still tracks, for leak checks. */
  long natsOutstandingRequests() {
    return connection.getStatistics().getOutstandingRequests();
  }

  /** Timeout tasks scheduled and not yet run or cancelled, for leak checks. */
  int scheduledTimeouts() {
    return timer.getQueue().size();
  }

  /** Live subscriptions, for leak checks. */
  int subscriptionCount() {
    return subscriptions.size();
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

  private void checkOpen() {
    State s = state.get();
    if (s != State.OPEN) {
      throw new TransportException("The NATS transport is " + (s == State.DRAINING
          ? "draining" : "closed") + " and takes no new subscriptions", null, false);
    }
  }

  private void checkNotClosed() {
    if (state.get() == State.CLOSED) {
      throw closedException(null);
    }
  }

  private TransportException closedException(@Nullable Throwable cause) {
    String why = closedByUs.get() || state.get() != State.CLOSED ? "closed"
        : "closed after reconnecting failed";
    return new TransportException("The NATS transport is " + why, cause, false);
  }

  // ------------------------------------------------------------------ jnats wiring

  private Options options(NatsTransportConfig c) {
    Options.Builder b = new Options.Builder()
        .servers(c.servers().toArray(String[]::new))
        .connectionName(c.connectionName())
        .connectionTimeout(c.connectTimeout())
        .reconnectWait(c.reconnectWait())
        .maxReconnects(c.maxReconnects())
        .reconnectBufferSize(c.reconnectBufferSize())
        .pingInterval(c.pingInterval())
        .maxPingsOut(c.maxPingsOut())
        .maxMessagesInOutgoingQueue(c.outgoingQueueSize())
        .requestCleanupInterval(REQUEST_CLEANUP_INTERVAL)
        .reportNoResponders()
        // AgentBus subjects may hold any UTF-8 (the contract suite's wildcard table does)
        .supportUTF8Subjects()
        .connectionListener(new ConnectionEvents())
        .errorListener(new Errors());
    c.auth().applyTo(b);
    SSLContext ssl = c.sslContextOrNull();
    if (ssl != null) {
      b.sslContext(ssl);
    }
    java.util.function.Consumer<Options.Builder> customizer = c.optionsCustomizer();
    if (customizer != null) {
      customizer.accept(b);
    }
    return b.build();
  }

  private static TransportException connectFailure(NatsTransportConfig c, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new TransportException("Interrupted while connecting to NATS", e, true);
    }
    String servers = NatsTransportConfig.redactUrls(String.join(",", c.servers()));
    String text = String.valueOf(e.getMessage());
    if (e instanceof AuthenticationException) {
      return new TransportException("NATS at " + servers + " refused the credentials ("
          + text.trim() + "): check " + c.auth().settingsToCheck(), e, false);
    }
    // jnats reports the underlying cause (a refused TLS handshake, say) only to its listener
    String tlsHint = !c.tls() ? "" : " With TLS, also check that "
        + NatsTransportConfig.Key.TLS_TRUSTSTORE.property() + " trusts the server's certificate"
        + " and, if the server verifies clients, that "
        + NatsTransportConfig.Key.TLS_KEYSTORE.property() + " holds this client's.";
    return new TransportException("Could not connect to NATS at " + servers + " as '"
        + c.connectionName() + "': " + text + ". Is the server running and reachable? The "
        + "servers are set by " + NatsTransportConfig.Key.URL.property() + " / "
        + NatsTransportConfig.Key.URL.environmentVariable() + " / "
        + NatsTransportConfig.NATS_URL + "." + tlsHint, e, true);
  }

  private void emit(ConnectionEvent event) {
    for (ConnectionListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("A connection listener threw on {}; ignored", event, e);
      }
    }
  }

  private void emitClosed(String detail) {
    if (closedEventSent.compareAndSet(false, true)) {
      emit(ConnectionEvent.of(ConnectionEvent.Kind.CLOSED, detail));
    }
  }

  private final class ConnectionEvents implements io.nats.client.ConnectionListener {
    @Override
    @SuppressWarnings("deprecation")
    public void connectionEvent(Connection conn, Events type) {
      connectionEvent(conn, type, null, null);
    }

    @Override
    public void connectionEvent(Connection conn, Events type, @Nullable Long time,
        @Nullable String uriDetails) {
      String where = uriDetails == null ? "" : NatsTransportConfig.redactUrls(uriDetails);
      switch (type) {
        case CONNECTED:
          emit(ConnectionEvent.of(ConnectionEvent.Kind.CONNECTED, "connected to " + where));
          break;
        case DISCONNECTED:
          // jnats reports one per failed reconnect attempt; users hear of the first
          if (!disconnected.compareAndSet(false, true)) {
            log.debug("Still disconnected from NATS ({})", where);
            break;
          }
          if (!connectedOnce) {
            disconnected.set(false);
            break;
          }
          if (!closedByUs.get()) {
            log.warn("Disconnected from NATS {}; reconnecting every {} (publishes are buffered "
                + "up to {} bytes)", where, config.reconnectWait(), config.reconnectBufferSize());
          }
          emit(ConnectionEvent.of(ConnectionEvent.Kind.DISCONNECTED, "disconnected from "
              + where));
          break;
        case RECONNECTED:
          disconnected.set(false);
          reconnects.incrementAndGet();
          log.info("Reconnected to NATS {}", where);
          emit(ConnectionEvent.of(ConnectionEvent.Kind.RECONNECTED, "reconnected to " + where));
          break;
        case RESUBSCRIBED:
          log.debug("Subscriptions re-established on {}", where);
          emit(ConnectionEvent.of(ConnectionEvent.Kind.RESUBSCRIBED,
              "subscriptions re-established on " + where));
          break;
        case LAME_DUCK:
          log.warn("NATS server {} is shutting down (lame duck mode); the client will move to "
              + "another server", where);
          emit(ConnectionEvent.of(ConnectionEvent.Kind.LAME_DUCK, "lame duck mode: " + where));
          break;
        case CLOSED:
          onClosed();
          break;
        default:
          log.debug("NATS connection event {} {}", type, where);
      }
    }
  }

  private void onClosed() {
    if (closedByUs.get() || !state.compareAndSet(State.OPEN, State.CLOSED)) {
      return; // our own drain or close
    }
    // closed by jnats itself: the reconnect attempts are exhausted
    long unsent = unsentCounted.compareAndSet(false, true)
        ? connection.outgoingPendingMessageCount() : 0;
    if (unsent > 0) {
      droppedHere.add(unsent);
    }
    log.error("The NATS connection closed after {} reconnect attempts failed ({}={}); {} "
        + "buffered publishes were lost. Every further call fails; create a new transport.",
        config.maxReconnects(), NatsTransportConfig.Key.MAX_RECONNECTS.property(),
        config.maxReconnects(), unsent);
    emitClosed("reconnecting failed " + config.maxReconnects() + " times");
  }

  private final class Errors implements ErrorListener {
    @Override
    public void errorOccurred(Connection conn, String error) {
      if (!connectedOnce) {
        log.debug("The NATS server reported while connecting: {}", error);
        return;
      }
      log.warn("The NATS server reported: {}", error);
      emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "server error: " + error));
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      if (!connectedOnce) {
        // the first connect's failure is thrown by connect(); this is its detail
        log.warn("While connecting to NATS: {}", exp.toString());
        return;
      }
      if (exp instanceof IOException) {
        // a lost or refused connection; the DISCONNECTED event tells the user
        log.debug("NATS connection problem: {}", exp.toString());
      } else {
        log.warn("NATS client error: {}", exp.toString(), exp);
      }
      emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "client error: " + exp));
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
      slowConsumerEvents.increment();
      NatsTransportSubscription s = byDispatcher.get(consumer);
      String subject = s == null ? "_INBOX (request replies)" : s.subject();
      String detail = "subscription '" + subject + "' reached its limit of "
          + consumer.getPendingMessageLimit() + " waiting messages / "
          + consumer.getPendingByteLimit() + " bytes; newer messages are dropped and counted "
          + "until its handler catches up";
      log.warn("Slow consumer: {} ({}, {}); other subscriptions are unaffected", detail,
          NatsTransportConfig.Key.PENDING_MESSAGES.property(),
          NatsTransportConfig.Key.PENDING_BYTES.property());
      emit(new ConnectionEvent(ConnectionEvent.Kind.SLOW_CONSUMER, detail, subject));
    }

    @Override
    public void messageDiscarded(Connection conn, Message msg) {
      droppedHere.increment();
      log.warn("NATS discarded an outgoing message to '{}'; counted as dropped",
          msg.getSubject());
    }

    @Override
    public void socketWriteTimeout(Connection conn) {
      log.warn("Writing to the NATS server timed out; the connection will be re-established");
      emit(ConnectionEvent.of(ConnectionEvent.Kind.ERROR, "socket write timeout"));
    }
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
