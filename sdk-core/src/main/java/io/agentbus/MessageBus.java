package io.agentbus;

import io.agentbus.spi.BusExtension;
import io.agentbus.spi.Codec;
import io.agentbus.spi.ConnectionListener;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's message bus, on any {@link Transport} and {@link Codec}: broadcast,
 * direct messages, request/reply, work queues and team channels on the {@link Subjects} hierarchy.
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .transport(InMemoryTransport.create())
 *     .codec(JsonCodec.create())
 *     .build();
 * bus.subscribeToAgentMessages("architect-001", d -> {
 *   if (d.isRequest()) d.reply(MessageType.RESOURCE_RESPONSE, Map.of("status", "ready"));
 * });
 * AgentMessage reply = bus.endpoint("parser-dev-001").request("architect-001",
 *     MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Sending</b> is done as an agent: {@link #endpoint(String)} gives the {@link AgentEndpoint}
 * of an agent id, whose methods name only the receiver. Prepared messages, which carry their
 * sender, go out with {@link #publish(AgentMessage)}.
 *
 * <p><b>Codecs.</b> The bus publishes with its {@linkplain Builder#codec primary codec}, and names it
 * in the {@code Content-Type} header unless the payload says it already: JSON and Protobuf go
 * without the header (see {@link Codec#recognizes}). It decodes with whichever registered codec
 * matches the header; a message with no header is decoded by the registered codec that recognizes
 * it, and otherwise as JSON, as the seed's Python agents send it.
 *
 * <p><b>Failures are never silent.</b> A message that cannot be decoded, or whose handler throws,
 * is logged, counted in {@link #stats()} and republished with the error to {@link
 * Subjects#deadLetter()}; a request whose handler throws (or that cannot be decoded) is answered
 * with the error so the requester fails at once with {@link RemoteHandlerException}.
 *
 * <p><b>Durability is configuration.</b> Work queues are at most once by default, as core NATS
 * is; a queue configured {@linkplain QueueOptions#durable() durable} on the {@link Builder} is
 * stored in a persistent stream, acknowledged, retried and dead-lettered (see {@link
 * QueueOptions}). Broadcasts can be {@linkplain Builder#keepBroadcasts kept} and {@linkplain
 * #replay replayed}. Both need a transport with {@linkplain Transport#durableStreams() durable
 * streams}.
 *
 * <p><b>Shape.</b> This class is a facade: the work is done by one collaborator per job, each
 * package-private: codec choice ({@code CodecSelector}), the publish path with headers and
 * interceptors ({@code PublishPath}), request/reply ({@code RequestReply}), the delivery pipeline
 * ({@code DeliveryPipeline}), dead letters ({@code DeadLetters}), work queues ({@code WorkQueues},
 * {@code DurableWorkQueue}), kept history and replay ({@code BusStreams}) and the counters ({@code
 * BusMetrics}). docs/architecture.md draws them. This file runs past 600 lines for its Javadoc
 * alone: the contract of every pattern, and of every option of the {@link Builder}, is written here
 * where users read it; the code is under 400 lines.
 *
 * <p>Thread-safe. One bus is meant to be shared by every agent in a process, over one connection.
 * The bus owns its transport: {@link #close()} and {@link #drain(Duration)} close it. Every method
 * but {@link #close()}, {@link #drain}, {@link #isClosed()} and the accessors throws {@link
 * IllegalStateException} once the bus is closed.
 */
public final class MessageBus implements AutoCloseable {
  /** The content type of a message that arrives without a {@code Content-Type} header. */
  public static final String DEFAULT_CONTENT_TYPE = CodecSelector.DEFAULT_CONTENT_TYPE;

  private final Transport transport;
  private final Subjects subjects;
  private final Scheduler scheduler;
  private final Duration defaultRequestTimeout;
  private final CodecSelector codecs;
  private final BusMetrics metrics = new BusMetrics();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final PublishPath publisher;
  private final RequestReply requests;
  private final DeliveryPipeline pipeline;
  private final BusStreams history;
  private final WorkQueues queues;
  private final Set<BusSubscription> subscriptions = ConcurrentHashMap.newKeySet();

  private MessageBus(Builder b) {
    this.transport = Objects.requireNonNull(b.transport,
        "MessageBus.Builder.transport(...) is required");
    Codec codec = Objects.requireNonNull(b.codec, "MessageBus.Builder.codec(...) is required");
    this.subjects = Subjects.of(b.namespace);
    this.scheduler = b.scheduler;
    this.defaultRequestTimeout = b.defaultRequestTimeout;
    this.codecs = new CodecSelector(codec, b.additionalCodecs);
    boolean anyDurableQueue = WorkQueues.anyDurable(b.queueOptions, b.defaultQueueOptions);
    DurableStreams streams = transport.durableStreams().orElse(null);
    if ((anyDurableQueue || b.keepBroadcasts != null || b.keepDeadLetters != null)
        && streams == null) {
      throw new ConfigurationException("This MessageBus is configured with " + durableFeatures(b)
          + ", which need a transport with durable streams, but " + transport
          + " has none (Transport.durableStreams() is empty). Use a transport that keeps streams "
          + "(NATS with JetStream enabled, or the in-memory transport), or configure the queues "
          + "QueueOptions.atMostOnce() and drop keepBroadcasts/keepDeadLetters.");
    }
    this.publisher = new PublishPath(transport, codecs, b.interceptors, metrics, scheduler,
        closed);
    this.history = new BusStreams(streams, subjects, b.keepBroadcasts, b.keepDeadLetters,
        anyDurableQueue ? WorkQueues.maxReplicas(b.queueOptions, b.defaultQueueOptions) : 0);
    DeadLetters deadLetters = new DeadLetters(subjects, publisher, history, metrics,
        transport.maxPayload());
    this.pipeline = new DeliveryPipeline(codecs, b.interceptors, publisher, deadLetters, metrics,
        subjects);
    this.requests = new RequestReply(transport, publisher, pipeline);
    this.queues = new WorkQueues(transport, subjects, b.queueOptions, b.defaultQueueOptions,
        streams, publisher, pipeline, deadLetters, metrics);
    history.declare();
    queues.declareConfigured();
  }

  private static String durableFeatures(Builder b) {
    List<String> what = new ArrayList<>();
    b.queueOptions.forEach((q, o) -> {
      if (o.isDurable()) {
        what.add("durable queue '" + q + "'");
      }
    });
    if (b.defaultQueueOptions.isDurable()) {
      what.add("durable queues by default");
    }
    if (b.keepBroadcasts != null) {
      what.add("keepBroadcasts");
    }
    if (b.keepDeadLetters != null) {
      what.add("keepDeadLetters");
    }
    return String.join(", ", what);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The endpoint of agent {@code agentId}: sends, broadcasts, requests and queue items from that
   * agent.
   *
   * @throws InvalidSubjectException if {@code agentId} is not a subject token
   */
  public AgentEndpoint endpoint(String agentId) {
    return new AgentEndpoint(this, agentId);
  }

  // ------------------------------------------------------------------ publishing

  /**
   * Publishes a prepared message: to its {@code to_agent}'s direct subject, or as a broadcast
   * when {@code to_agent} is null.
   */
  public void publish(AgentMessage message) {
    String to = message.toAgent();
    publish(to == null ? subjects.broadcast(message.messageType())
        : subjects.direct(to, message.messageType()), message);
  }

  /** Publishes a prepared message to an explicit subject (no wildcards). */
  public void publish(String subject, AgentMessage message) {
    publisher.publish(Subjects.requireSubject("subject", subject), message, codecs.primary());
  }

  /**
   * Gives a prepared work item to exactly one worker of the queue {@code <ns>.queue.<queueName>},
   * with a message id of the caller's choosing (a task id, say).
   *
   * <p>On an at-most-once queue (the default) this returns once the item is handed to the
   * transport; the id travels in the {@link Headers#MESSAGE_ID} header and nothing is
   * de-duplicated. On a {@linkplain QueueOptions#durable() durable} queue it returns once the
   * stream has stored the item, retrying through reconnects for up to the queue's {@linkplain
   * QueueOptions#publishTimeout() publish timeout}; publishing the same id again within the
   * queue's {@linkplain QueueOptions#duplicateWindow() duplicate window} stores it once, and the
   * receipt then says {@code duplicate}.
   *
   * @param messageId non-empty, no CR or LF
   * @throws TransportException if a durable queue's stream did not store the item in time ({@link
   *     TransportException#isRetriable() retriable}: it may or may not be stored; publish again
   *     with the same id to store it at most once)
   */
  public QueueReceipt publishToQueue(String queueName, AgentMessage message, String messageId) {
    CompletableFuture<QueueReceipt> f = publishToQueueAsync(queueName, message, messageId);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new AgentBusException("Interrupted while storing item " + messageId + " on queue '"
          + queueName + "'; it may or may not be stored", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /**
   * {@link #publishToQueue(String, AgentMessage, String)} without blocking: completes when the
   * durable queue's stream has stored the item (at once for an at-most-once queue), or
   * exceptionally with the {@link TransportException} described there. Many publishes may be in
   * flight at once; they are stored in no guaranteed order.
   */
  public CompletableFuture<QueueReceipt> publishToQueueAsync(String queueName,
      AgentMessage message, String messageId) {
    publisher.checkOpen();
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(messageId, "messageId");
    Subjects.requireToken("queue name", queueName);
    if (messageId.isEmpty() || !PublishPath.isHeaderSafe(messageId)) {
      throw new IllegalArgumentException("messageId must be non-empty and hold no CR or LF, was '"
          + messageId + "'");
    }
    return queues.isDurable(queueName) ? queues.publishDurably(queueName, message, messageId)
        : CompletableFuture.completedFuture(
            queues.publishAtMostOnce(queueName, message, messageId));
  }

  static String newMessageId() {
    return UUID.randomUUID().toString();
  }

  private static RuntimeException unwrap(Throwable t) {
    Throwable cause = DurableWorkQueue.unwrap(t);
    return cause instanceof RuntimeException ? (RuntimeException) cause
        : new AgentBusException("Request failed: " + cause, cause);
  }

  // ------------------------------------------------------------------ request / reply

  /**
   * Sends a prepared message as a request to an explicit subject and completes with the reply, or
   * exceptionally with the exceptions of {@link AgentEndpoint#request}. Cancelling the future
   * abandons the request and releases its inbox.
   */
  public CompletableFuture<AgentMessage> requestAsync(String subject, AgentMessage message,
      Duration timeout) {
    Subjects.requireSubject("subject", subject);
    return requests.requestAsync(subject, message, timeout);
  }

  /**
   * A request that the caller's retry policy will send, perhaps more than once, to {@code
   * subject}: each attempt goes out as {@link #requestAsync} would send it, and the retries,
   * their successes, fallbacks and give-ups are counted in {@link BusStats#retries()} and shown to
   * the interceptors (the observability modules' meters and spans). The agent template's {@code
   * RetryingRequests} is such a policy.
   *
   * @throws InvalidSubjectException if {@code subject} is not a publishable subject
   */
  public RetriedRequest retriedRequest(String subject, AgentMessage message) {
    Subjects.requireSubject("subject", subject);
    Objects.requireNonNull(message, "message");
    return new RetriedRequest(subject, message, requests, metrics, publisher.interceptors());
  }

  /**
   * Scatter-gather: publishes {@code message} to {@code subject} (a broadcast, a team's subject,
   * any subject many agents subscribe to) with a reply subject of its own, and gathers every
   * reply until {@code options} says stop: {@link GatherOptions#maxReplies()} replies, every
   * {@linkplain GatherOptions#expected() expected} agent answered, a {@linkplain
   * GatherOptions#quietPeriod() quiet period}, or the {@linkplain GatherOptions#deadline()
   * deadline}, whichever comes first (timed by the bus's scheduler). Responders answer as to any
   * request ({@link Delivery#reply}, or a seed agent's {@code msg.respond}); a responder that
   * fails is counted in {@link GatherResult#failures()}. The future never completes exceptionally
   * once the request went out; cancelling it stops gathering.
   *
   * @throws InvalidSubjectException if {@code subject} is not a publishable subject
   * @throws IllegalStateException once the bus is closed
   */
  public CompletableFuture<GatherResult> gather(String subject, AgentMessage message,
      GatherOptions options) {
    Subjects.requireSubject("subject", subject);
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(options, "options");
    return new ScatterGather(transport, publisher, codecs, scheduler, subject, options)
        .start(message);
  }

  // ------------------------------------------------------------------ subscribing

  /** Subscribes to every direct message for {@code agentId} ({@code <ns>.agent.<id>.*}). */
  public Subscription subscribeToAgentMessages(String agentId, MessageHandler handler) {
    return subscribe(subjects.allDirect(agentId), null, handler);
  }

  /** Subscribes to every message for a team ({@code <ns>.team.<teamId>.*}). */
  public Subscription subscribeToTeam(String teamId, MessageHandler handler) {
    return subscribe(subjects.allTeam(teamId), null, handler);
  }

  /** Subscribes to broadcasts of one type ({@code <ns>.broadcast.<type>}). */
  public Subscription subscribeToBroadcasts(MessageType type, MessageHandler handler) {
    return subscribe(subjects.broadcast(type), null, handler);
  }

  /** Subscribes to a subject or pattern ({@code *} and {@code >} wildcards, NATS rules). */
  public Subscription subscribe(String subjectPattern, MessageHandler handler) {
    return subscribe(subjectPattern, null, handler);
  }

  /**
   * Subscribes as a member of {@code queueGroup} when that is non-null: each message then reaches
   * one member of the group.
   */
  public Subscription subscribe(String subjectPattern, @Nullable String queueGroup,
      MessageHandler handler) {
    publisher.checkOpen();
    Objects.requireNonNull(handler, "handler");
    Subjects.requirePattern("subject pattern", subjectPattern);
    if (queueGroup != null) {
      Subjects.requireToken("queue group", queueGroup);
    }
    TransportSubscription ts = transport.subscribe(subjectPattern, queueGroup,
        raw -> pipeline.dispatch(raw, handler));
    return track(new BusSubscription(subjectPattern, List.of(ts)));
  }

  /**
   * Starts {@code numWorkers} workers on the queue {@code <ns>.queue.<queueName>}, in the queue
   * group {@code queueName} (as the seed's Python agents do): each item reaches exactly one worker
   * of all the processes serving that queue (NATS picks one at random, not in turn), and up to
   * {@code numWorkers} items are handled at once in this process.
   *
   * <p><b>At-most-once queues</b> (the default) behave as core NATS: an item published while no
   * worker is connected, or in flight when a connection breaks, is gone; a handler that throws has
   * its item dead-lettered at once.
   *
   * <p><b>Durable queues</b> ({@link QueueOptions#durable()}) take items from the queue's stream;
   * items wait there for a worker. An item is acknowledged, and the acknowledgement confirmed by
   * the store, after its handler returns; a handler that throws gets it again after the backoff,
   * up to the maximum number of deliveries, after which it is dead-lettered (see {@link
   * QueueOptions}). What that guarantees, precisely:
   *
   * <ul>
   *   <li><b>No stored item is lost</b>: it stays in the stream until a handler returned for it or
   *       its dead letter is stored, through worker crashes and server restarts (with the
   *       stream's replicas, through the loss of a minority of a cluster's servers).
   *   <li><b>Within this bus</b>, the handler is called at most once, successfully, per message
   *       id within the {@linkplain QueueOptions#processedWindow() processed window}: a copy
   *       redelivered because its acknowledgement was lost (a server killed between the handler's
   *       return and the store's confirmation) is acknowledged without calling the handler. An
   *       item stored twice under one id (a publish retried after the duplicate window) is also
   *       handled once.
   *   <li><b>Across processes</b> (or buses) delivery is at least once: if this bus dies after a
   *       handler returned but before its acknowledgement was stored, or the acknowledgement
   *       cannot reach the store for longer than the ack wait, another process handles the item
   *       again. A handler that must have an effect exactly once across processes makes it
   *       idempotent with {@link Delivery#messageId()}.
   * </ul>
   *
   * @throws ConfigurationException if the queue is durable and its stream cannot be declared as
   *     configured
   */
  public Subscription createWorkQueue(String queueName, MessageHandler handler, int numWorkers) {
    publisher.checkOpen();
    Objects.requireNonNull(handler, "handler");
    Subjects.requireToken("queue name", queueName);
    if (numWorkers < 1) {
      throw new IllegalArgumentException("numWorkers must be at least 1, was " + numWorkers);
    }
    return track(new BusSubscription(subjects.queue(queueName),
        queues.startWorkers(queueName, handler, numWorkers)));
  }

  private Subscription track(BusSubscription s) {
    subscriptions.add(s);
    return s;
  }

  /** The options of queue {@code queueName}: as configured, else the default. */
  public QueueOptions queueOptions(String queueName) {
    Subjects.requireToken("queue name", queueName);
    return queues.optionsFor(queueName);
  }

  /** Counters of queue {@code queueName} in this bus; all zero for a queue it has not used. */
  public QueueStats queueStats(String queueName) {
    Subjects.requireToken("queue name", queueName);
    return metrics.queueSnapshot(queueName);
  }

  /**
   * Durable queue {@code queueName} as the store sees it now, over every process that shares it:
   * items stored, waiting for a worker, delivered and not yet acknowledged, and redelivered
   * (where {@link #queueStats} counts what this bus did). Asks the store (on NATS, two JetStream
   * API requests): for dashboards and metrics, not per message.
   *
   * @return empty for an at-most-once queue (nothing is kept to count) and for a durable queue
   *     whose stream has not been declared yet
   * @throws TransportException if the store cannot be reached
   * @throws UnsupportedOperationException if the transport's durable streams cannot report it
   */
  public Optional<QueueState> queueState(String queueName) {
    Subjects.requireToken("queue name", queueName);
    return queues.state(queueName);
  }

  // ------------------------------------------------------------------ replay

  /**
   * Replays the kept messages on {@code subjectPattern} from {@code start}, in the order they were
   * stored, to {@code handler} (called by one thread at a time), and completes when every
   * message stored before the call has been seen. Messages published meanwhile may or may not be
   * included: subscribe first and replay afterwards, and tell the overlap apart with {@link
   * Delivery#sequence()}, to miss nothing.
   *
   * <p>What is kept: the namespace's broadcasts with {@link Builder#keepBroadcasts}, and its dead
   * letters when it has durable queues or {@link Builder#keepDeadLetters}. For example, every
   * task completion of the last hour:
   *
   * <pre>{@code
   * bus.replay(bus.subjects().broadcast(MessageType.TASK_COMPLETE),
   *     ReplayStart.since(Instant.now().minus(Duration.ofHours(1))), d -> record(d.message()));
   * }</pre>
   *
   * <p>A handler that throws is logged and counted in the result; the replay goes on. Cancelling
   * the future stops the replay.
   *
   * @throws ConfigurationException if no kept history covers {@code subjectPattern}, naming what
   *     is kept
   */
  public CompletableFuture<ReplayResult> replay(String subjectPattern, ReplayStart start,
      MessageHandler handler) {
    publisher.checkOpen();
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(start, "start");
    Subjects.requirePattern("subject pattern", subjectPattern);
    return history.replay(subjectPattern, start, handler, pipeline);
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Drains every subscription (handlers finish what they received), flushes and closes the
   * transport. Completes exceptionally if {@code timeout} passes first; the transport is closed
   * either way.
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    subscriptions.forEach(s -> s.active.set(false));
    return transport.drain(timeout);
  }

  /**
   * Closes at once: subscriptions stop, messages not yet sent are discarded (and counted by the
   * transport), requests still waiting fail. Idempotent. Use {@link #drain(Duration)} to finish
   * in-flight work first.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      subscriptions.forEach(s -> s.active.set(false));
      transport.close();
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Waits until everything published so far has reached the server (in memory: has been handed
   * to the matching subscriptions).
   *
   * @throws TransportException when that takes longer than {@code timeout}
   */
  public void flush(Duration timeout) {
    publisher.checkOpen();
    transport.flush(timeout);
  }

  /**
   * The transport this bus owns, for protocols that live beside the agents' messages and carry
   * bytes of their own (the NATS micro service protocol of discovery: {@code $SRV.PING}, ...).
   * Never close it: the bus does.
   */
  public Transport transport() {
    return transport;
  }

  /** Adds a listener for the transport's connection and slow-consumer events. */
  public void addConnectionListener(ConnectionListener listener) {
    transport.addConnectionListener(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener {@linkplain #addConnectionListener added} before. */
  public void removeConnectionListener(ConnectionListener listener) {
    transport.removeConnectionListener(Objects.requireNonNull(listener, "listener"));
  }

  // ------------------------------------------------------------------ accessors

  public Subjects subjects() {
    return subjects;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  /** The primary codec, used for everything this bus publishes except replies. */
  public Codec codec() {
    return codecs.primary();
  }

  public Duration defaultRequestTimeout() {
    return defaultRequestTimeout;
  }

  /** Largest payload the transport accepts, in bytes. */
  public long maxPayload() {
    return transport.maxPayload();
  }

  /** This bus's counters since it was built. */
  public BusStats stats() {
    return metrics.snapshot();
  }

  /** The transport's counters (connection-level: reconnects, drops, bytes). */
  public TransportStats transportStats() {
    return transport.stats();
  }

  // ------------------------------------------------------------------ for AgentEndpoint

  AgentMessage message(String from, @Nullable String to, MessageType type,
      Map<String, ? extends @Nullable Object> content, @Nullable String correlationId) {
    return AgentMessage.builder()
        .fromAgent(from)
        .toAgent(to)
        .messageType(type)
        .content(content)
        .timestamp(Instant.ofEpochMilli(scheduler.nowMillis())) // at the wire's precision
        .correlationId(correlationId)
        .build();
  }

  /** Publishes {@code message} to a subject {@link Subjects} built, so already valid. */
  void publishTo(String subject, AgentMessage message) {
    publisher.publish(subject, message, codecs.primary());
  }

  /** A queue item from an endpoint: durable queues give it a fresh id, others none. */
  QueueReceipt publishToQueue(String queueName, AgentMessage message) {
    return queues.isDurable(queueName)
        ? publishToQueue(queueName, message, newMessageId())
        : queues.publishAtMostOnce(queueName, message, null);
  }

  AgentMessage request(String subject, AgentMessage message, Duration timeout) {
    return requests.request(subject, message, timeout);
  }

  CompletableFuture<AgentMessage> requestAsyncTo(String subject, AgentMessage message,
      Duration timeout) {
    return requests.requestAsync(subject, message, timeout);
  }

  @Override
  public String toString() {
    return "MessageBus{namespace=" + subjects.namespace() + ", codec="
        + codecs.primary().contentType() + ", transport=" + transport + "}";
  }

  private final class BusSubscription implements Subscription {
    private final String subject;
    private final List<TransportSubscription> members;
    final AtomicBoolean active = new AtomicBoolean(true);

    BusSubscription(String subject, List<TransportSubscription> members) {
      this.subject = subject;
      this.members = members;
    }

    @Override
    public String subject() {
      return subject;
    }

    @Override
    public boolean isActive() {
      return active.get() && members.stream().anyMatch(TransportSubscription::isActive);
    }

    @Override
    public void unsubscribe() {
      if (active.compareAndSet(true, false)) {
        subscriptions.remove(this);
        members.forEach(TransportSubscription::unsubscribe);
      }
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
      if (!active.compareAndSet(true, false)) {
        return CompletableFuture.completedFuture(null);
      }
      subscriptions.remove(this);
      return CompletableFuture.allOf(
          members.stream().map(m -> m.drain(timeout)).toArray(CompletableFuture[]::new));
    }

    @Override
    public String toString() {
      return "Subscription{" + subject + ", members=" + members.size() + "}";
    }
  }

  /** Builds a {@link MessageBus}. {@link #transport} and {@link #codec} are required. */
  public static final class Builder {
    private @Nullable Transport transport;
    private @Nullable Codec codec;
    private final List<Codec> additionalCodecs = new ArrayList<>();
    private final List<BusExtension> extensions = new ArrayList<>();
    private String namespace = Subjects.DEFAULT_NAMESPACE;
    private Scheduler scheduler = Scheduler.system();
    private Duration defaultRequestTimeout = Duration.ofSeconds(5);
    private final List<MessageInterceptor> interceptors = new ArrayList<>();
    private final Map<String, QueueOptions> queueOptions = new LinkedHashMap<>();
    private QueueOptions defaultQueueOptions = QueueOptions.atMostOnce();
    private @Nullable HistoryOptions keepBroadcasts;
    private @Nullable HistoryOptions keepDeadLetters;

    private Builder() {}

    /**
     * How queue {@code queueName} delivers: at most once (the default) or durably. A durable
     * queue's stream is declared when the bus is built.
     */
    public Builder queue(String queueName, QueueOptions options) {
      queueOptions.put(Subjects.requireToken("queue name", queueName),
          Objects.requireNonNull(options, "options"));
      return this;
    }

    /**
     * How queues not named with {@link #queue(String, QueueOptions)} deliver; default {@link
     * QueueOptions#atMostOnce()}. Their streams are declared when first used.
     */
    public Builder defaultQueueOptions(QueueOptions options) {
      this.defaultQueueOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Keeps the namespace's broadcasts ({@code <ns>.broadcast.>}) for {@linkplain
     * MessageBus#replay replay}, in a stream named {@code <namespace>_broadcasts} unless {@code
     * options} names another. The stream captures every broadcast on the server from the moment
     * it is declared (when the bus is built), whoever publishes it.
     */
    public Builder keepBroadcasts(HistoryOptions options) {
      this.keepBroadcasts = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * How the namespace's dead letters ({@code <ns>.deadletter}) are kept, in a stream named
     * {@code <namespace>_deadletter} unless {@code options} names another. When the bus has
     * durable queues they are always kept (by default for 7 days, on as many replicas as the
     * most replicated queue), since a durable queue removes an item only once its dead letter is
     * stored.
     */
    public Builder keepDeadLetters(HistoryOptions options) {
      this.keepDeadLetters = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Required. The bus owns it and closes it with itself. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Required: the codec this bus publishes with (and decodes with). */
    public Builder codec(Codec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Codecs this bus can also decode, chosen per message by its {@code Content-Type} header.
     * Register the JSON codec here when the primary codec is another, so that header-less
     * messages from the seed's Python agents are understood.
     */
    public Builder additionalCodecs(Codec... codecs) {
      for (Codec c : codecs) {
        additionalCodecs.add(Objects.requireNonNull(c, "codec"));
      }
      return this;
    }

    /** Subject namespace; default {@code orchestrator}. */
    public Builder namespace(String namespace) {
      this.namespace = Subjects.of(namespace).namespace();
      return this;
    }

    /** Clock for timestamps and correlation ids; default {@link Scheduler#system()}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Timeout of requests that do not give one; default 5 s. */
    public Builder defaultRequestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new ConfigurationException("defaultRequestTimeout must be positive, was "
            + timeout);
      }
      this.defaultRequestTimeout = timeout;
      return this;
    }

    /** Adds a hook around publish and delivery (see {@link MessageInterceptor}). */
    public Builder addInterceptor(MessageInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Adds an optional capability, such as tracing or metrics: {@code extension} adds its
     * interceptors to this builder now, and {@linkplain BusExtension#bind is bound} to the bus
     * once built.
     */
    public Builder addExtension(BusExtension extension) {
      Objects.requireNonNull(extension, "extension").configure(this);
      extensions.add(extension);
      return this;
    }

    /**
     * Builds the bus. With durable queues configured by name or kept history, declares their
     * streams now, over the network: so that nothing published from here on is missed by the
     * history, and so that a server without streams fails at startup rather than at the first
     * publish. Queues made durable only by {@link #defaultQueueOptions} are declared when first
     * used.
     *
     * @throws ConfigurationException if durability is configured and the transport has no
     *     durable streams, or a stream cannot be declared as configured
     * @throws TransportException if the transport's store cannot be reached to declare them
     */
    public MessageBus build() {
      MessageBus bus = new MessageBus(this);
      try {
        for (BusExtension e : extensions) {
          e.bind(bus);
        }
      } catch (RuntimeException e) {
        bus.close();
        throw e;
      }
      return bus;
    }
  }
}
