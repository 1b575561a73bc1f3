package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * AgentMessage reply = bus.request("parser-dev-001", "architect-001",
 *     MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Codecs.</b> The bus publishes with its {@linkplain Builder#codec primary codec}, and names it
 * in the {@code Content-Type} header unless the payload says it already: JSON and Protobuf go
 * without the header (see {@link Codec#recognizes}). It decodes with whichever registered codec
 * matches the header; a message with no header is decoded by the registered codec that recognizes
 * it, and otherwise as JSON, as the seed's Python agents send it.
 *
 * <p><b>Failures are never silent.</b> A message that cannot be decoded, or whose handler throws,
 * is logged, counted in {@link #stats()} and republished with the error to {@link
 * Subjects#deadLetter()}; a request whose handler throws is answered with the error so the
 * requester fails at once with {@link RemoteHandlerException}.
 *
 * <p><b>Durability is configuration.</b> Work queues are at most once by default, as core NATS
 * is; a queue configured {@linkplain QueueOptions#durable() durable} on the {@link Builder} is
 * stored in a persistent stream, acknowledged, retried and dead-lettered (see {@link
 * QueueOptions}). Broadcasts can be {@linkplain Builder#keepBroadcasts kept} and {@linkplain
 * #replay replayed}. Both need a transport with {@linkplain Transport#durableStreams() durable
 * streams}.
 *
 * <p>Thread-safe. One bus is meant to be shared by every agent in a process, over one connection.
 * The bus owns its transport: {@link #close()} and {@link #drain(Duration)} close it.
 */
public final class MessageBus implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageBus.class);

  /** The content type of a message that arrives without a {@code Content-Type} header. */
  public static final String DEFAULT_CONTENT_TYPE = "application/json";

  private final Transport transport;
  private final Codec codec;
  private final Map<String, Codec> codecsByType;
  /** The registered codecs other than JSON, asked in order about a header-less payload. */
  private final Codec[] recognizers;
  /** The JSON codec, if registered: what a header-less payload nobody recognizes is. */
  private final @Nullable Codec jsonCodec;
  private final Subjects subjects;
  private final Scheduler scheduler;
  private final Duration defaultRequestTimeout;
  private final List<MessageInterceptor> interceptors;
  private final Map<String, QueueOptions> queueOptions;
  private final QueueOptions defaultQueueOptions;
  private final @Nullable DurableStreams streams;
  private final @Nullable StreamSpec broadcastStream;
  private final @Nullable StreamSpec deadLetterStream;
  private volatile boolean deadLetterStreamDeclared;
  private final Map<String, DurableWorkQueue> durableQueues = new ConcurrentHashMap<>();
  private final Map<String, DurableWorkQueue.QueueCounters> queueCounters =
      new ConcurrentHashMap<>();
  private final Set<BusSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  /** The Content-Type header of each codec, built once: publish is the hot path. */
  private final Map<String, Headers> baseHeaders = new ConcurrentHashMap<>();
  /** {@link #baseHeaders} of the bus's own codec, which nearly every publish uses. */
  private final Headers ownCodecHeaders;
  private volatile @Nullable CodecChoice lastChoice;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final LongAdder published = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder handled = new LongAdder();
  private final LongAdder handlerFailures = new LongAdder();
  private final LongAdder decodeFailures = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder deadLetterFailures = new LongAdder();

  private MessageBus(Builder b) {
    this.transport = Objects.requireNonNull(b.transport,
        "MessageBus.Builder.transport(...) is required");
    this.codec = Objects.requireNonNull(b.codec, "MessageBus.Builder.codec(...) is required");
    Map<String, Codec> byType = new LinkedHashMap<>();
    List<Codec> all = new ArrayList<>();
    all.add(codec);
    all.addAll(b.additionalCodecs);
    for (Codec c : all) {
      byType.putIfAbsent(c.contentType(), c);
      for (String alias : c.acceptedContentTypes()) {
        byType.putIfAbsent(normalizeContentType(alias), c);
      }
    }
    this.codecsByType = Map.copyOf(byType);
    this.recognizers = all.stream().distinct()
        .filter(c -> !normalizeContentType(c.contentType()).equals(DEFAULT_CONTENT_TYPE))
        .toArray(Codec[]::new);
    this.jsonCodec = codecsByType.get(DEFAULT_CONTENT_TYPE);
    this.ownCodecHeaders = baseHeaders(codec);
    this.subjects = Subjects.of(b.namespace);
    this.scheduler = b.scheduler;
    this.defaultRequestTimeout = b.defaultRequestTimeout;
    this.interceptors = List.copyOf(b.interceptors);
    this.queueOptions = Map.copyOf(b.queueOptions);
    this.defaultQueueOptions = b.defaultQueueOptions;
    boolean anyDurableQueue = defaultQueueOptions.isDurable()
        || queueOptions.values().stream().anyMatch(QueueOptions::isDurable);
    boolean needsStreams = anyDurableQueue || b.keepBroadcasts != null
        || b.keepDeadLetters != null;
    this.streams = transport.durableStreams().orElse(null);
    if (needsStreams && streams == null) {
      throw new ConfigurationException("This MessageBus is configured with " + durableFeatures(b)
          + ", which need a transport with durable streams, but " + transport
          + " has none (Transport.durableStreams() is empty). Use a transport that keeps streams "
          + "(NATS with JetStream enabled, or the in-memory transport), or configure the queues "
          + "QueueOptions.atMostOnce() and drop keepBroadcasts/keepDeadLetters.");
    }
    String ns = subjects.namespace();
    this.broadcastStream = b.keepBroadcasts == null ? null
        : historyStream(b.keepBroadcasts, streamName(ns, "broadcasts"),
            ns + ".broadcast.>");
    HistoryOptions deadLetters = b.keepDeadLetters;
    if (deadLetters == null && anyDurableQueue) {
      int replicas = defaultQueueOptions.replicas();
      for (QueueOptions o : queueOptions.values()) {
        replicas = Math.max(replicas, o.replicas());
      }
      deadLetters = HistoryOptions.keepFor(DEFAULT_DEAD_LETTER_AGE).replicas(replicas).build();
    }
    this.deadLetterStream = deadLetters == null ? null
        : historyStream(deadLetters, streamName(ns, "deadletter"), subjects.deadLetter());
    // declared now so that nothing published from here on is missed by the history, and so that
    // a server without streams fails at startup
    if (broadcastStream != null) {
      streams.declare(broadcastStream);
    }
    if (deadLetterStream != null) {
      streams.declare(deadLetterStream);
      deadLetterStreamDeclared = true;
    }
    for (Map.Entry<String, QueueOptions> e : queueOptions.entrySet()) {
      if (e.getValue().isDurable()) {
        durableQueue(e.getKey()).ensureDeclared();
      }
    }
  }

  /** How long dead letters of durable queues are kept unless {@link Builder#keepDeadLetters}. */
  static final Duration DEFAULT_DEAD_LETTER_AGE = Duration.ofDays(7);

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

  private static StreamSpec historyStream(HistoryOptions o, String defaultName, String subject) {
    String name = o.streamName() != null ? o.streamName() : defaultName;
    return new StreamSpec(name, List.of(subject), StreamSpec.Retention.LIMITS, o.maxAge(),
        o.maxMessages(), Duration.ofMinutes(2), o.replicas());
  }

  /** {@code <namespace>_<suffix>} with every character a stream name cannot hold made {@code _}. */
  static String streamName(String namespace, String suffix) {
    String raw = namespace + "_" + suffix;
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
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

  /** Broadcasts to every agent on {@code <ns>.broadcast.<type>}. */
  public void broadcast(String fromAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    publish(message(fromAgent, null, type, content, null));
  }

  /** Sends to one agent on {@code <ns>.agent.<toAgent>.<type>}. */
  public void sendToAgent(String fromAgent, String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    publish(message(fromAgent, toAgent, type, content, null));
  }

  /** Sends to every member of a team on {@code <ns>.team.<teamId>.<type>}. */
  public void sendToTeam(String fromAgent, String teamId, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    AgentMessage m = message(fromAgent, null, type, content, null);
    publishEncoded(subjects.team(teamId, type), m, codec);
  }

  /**
   * Gives a work item to exactly one worker of the queue, on {@code <ns>.queue.<queueName>}.
   *
   * <p>On an at-most-once queue (the default) this returns once the item is handed to the
   * transport. On a {@linkplain QueueOptions#durable() durable} queue it returns once the stream has
   * stored the item under a fresh message id, retrying through reconnects for up to the queue's
   * {@linkplain QueueOptions#publishTimeout() publish timeout}.
   *
   * @throws TransportException if a durable queue's stream did not store the item in time ({@link
   *     TransportException#isRetriable() retriable}: it may or may not be stored; to retry without
   *     storing it twice, use {@link #publishToQueue(String, AgentMessage, String)} with an id of
   *     your own)
   */
  public void publishToQueue(String queueName, String fromAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    AgentMessage m = message(fromAgent, null, type, content, null);
    if (optionsFor(queueName).isDurable()) {
      publishToQueue(queueName, m, newMessageId());
      return;
    }
    publishEncoded(subjects.queue(queueName), m, codec);
    counters(queueName).published.increment();
  }

  /**
   * Publishes a prepared work item with a message id of the caller's choosing (a task id, say),
   * and waits as {@link #publishToQueue(String, String, MessageType, Map)} does. Publishing the
   * same id again within the queue's {@linkplain QueueOptions#duplicateWindow() duplicate window}
   * stores it once: the receipt then says {@code duplicate}. On an at-most-once queue the id
   * travels in the {@link Headers#MESSAGE_ID} header and nothing is de-duplicated.
   *
   * @param messageId non-empty, no CR or LF
   * @throws TransportException as {@link #publishToQueue(String, String, MessageType, Map)}
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
    checkOpen();
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(messageId, "messageId");
    if (messageId.isEmpty() || !isHeaderSafe(messageId)) {
      throw new IllegalArgumentException("messageId must be non-empty and hold no CR or LF, was '"
          + messageId + "'");
    }
    String subject = subjects.queue(queueName);
    if (optionsFor(queueName).isDurable()) {
      return durableQueue(queueName).publish(message, messageId);
    }
    byte[] payload = codec.encode(message);
    Headers headers =
        headersFor(subject, message, codec, payload).with(Headers.MESSAGE_ID, messageId);
    transport.publish(subject, null, headers, payload);
    published.increment();
    counters(queueName).published.increment();
    return CompletableFuture.completedFuture(
        new QueueReceipt(queueName, messageId, false, null, 0, false));
  }

  static String newMessageId() {
    return UUID.randomUUID().toString();
  }

  /**
   * Publishes a prepared message: to its {@code to_agent}'s direct subject, or as a broadcast
   * when {@code to_agent} is null.
   */
  public void publish(AgentMessage message) {
    String to = message.toAgent();
    String subject = to == null ? subjects.broadcast(message.messageType())
        : subjects.direct(to, message.messageType());
    publishEncoded(subject, message, codec);
  }

  /** Publishes a prepared message to an explicit subject (no wildcards). */
  public void publish(String subject, AgentMessage message) {
    publishEncoded(Subjects.requireSubject("subject", subject), message, codec);
  }

  void publishEncoded(String subject, AgentMessage message, Codec with) {
    checkOpen();
    byte[] payload = with.encode(message);
    transport.publish(subject, null, headersFor(subject, message, with, payload), payload);
    published.increment();
  }

  Headers headersFor(String subject, AgentMessage message, Codec with, byte[] payload) {
    // Only what the payload does not say already. JSON goes without Content-Type, as the Python
    // agents send it: absent means JSON on this wire for good, and a message without headers
    // costs NATS a third less than one with them. So does a payload its codec recognizes (a
    // receiver asks its codecs before it takes a header-less payload for JSON). The correlation
    // id is in the payload: copying it into a header cost NATS request/reply 20 to 90 % more
    // median latency (performance.md)
    Headers headers = with == codec ? ownCodecHeaders : baseHeaders(with);
    if (!headers.isEmpty() && with.recognizes(payload)) {
      headers = Headers.empty();
    }
    for (MessageInterceptor i : interceptors) {
      headers = i.beforePublish(subject, message, headers, payload);
    }
    return headers;
  }

  private Headers baseHeaders(Codec with) {
    return baseHeaders.computeIfAbsent(with.contentType(),
        type -> normalizeContentType(type).equals(DEFAULT_CONTENT_TYPE) ? Headers.empty()
            : Headers.of(Headers.CONTENT_TYPE, type));
  }

  static boolean isHeaderSafe(String value) {
    return value.indexOf('\r') < 0 && value.indexOf('\n') < 0;
  }

  // ------------------------------------------------------------------ request / reply

  /**
   * Sends a request to {@code toAgent} on its direct subject and waits for the reply.
   *
   * @throws NoRespondersException at once, if no agent subscribes to that subject
   * @throws RequestTimeoutException if no reply came within {@code timeout}
   * @throws RemoteHandlerException if the responder's handler threw
   * @throws CodecException if the reply could not be decoded
   */
  public AgentMessage request(String fromAgent, String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    checkOpen();
    AgentMessage m = message(fromAgent, toAgent, type, content,
        CorrelationIds.next(fromAgent, scheduler.now()));
    String subject = subjects.direct(toAgent, type);
    byte[] payload = codec.encode(m);
    Headers headers = headersFor(subject, m, codec, payload);
    TransportMessage reply;
    try {
      // waits on this thread: no timer and no completing thread between the reply and the caller
      reply = transport.requestAndWait(subject, headers, payload, timeout);
    } catch (NoRespondersException | RequestTimeoutException e) {
      published.increment();
      throw e;
    } catch (InterruptedException e) {
      published.increment();
      Thread.currentThread().interrupt();
      throw new AgentBusException("Interrupted while waiting for a reply from " + toAgent, e);
    }
    published.increment();
    return decodeReply(subject, reply);
  }

  /** {@link #request(String, String, MessageType, Map, Duration)} with the default timeout. */
  public AgentMessage request(String fromAgent, String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return request(fromAgent, toAgent, type, content, defaultRequestTimeout);
  }

  /**
   * Sends a request and completes with the reply, or exceptionally with the exceptions of {@link
   * #request(String, String, MessageType, Map, Duration)}. Cancelling the future abandons the
   * request and releases its inbox.
   */
  public CompletableFuture<AgentMessage> requestAsync(String fromAgent, String toAgent,
      MessageType type, Map<String, ? extends @Nullable Object> content, Duration timeout) {
    AgentMessage m = message(fromAgent, toAgent, type, content,
        CorrelationIds.next(fromAgent, scheduler.now()));
    return requestAsync(subjects.direct(toAgent, type), m, timeout);
  }

  /** Sends a prepared message as a request to an explicit subject. */
  public CompletableFuture<AgentMessage> requestAsync(String subject, AgentMessage message,
      Duration timeout) {
    checkOpen();
    Subjects.requireSubject("subject", subject);
    byte[] payload = codec.encode(message);
    Headers headers = headersFor(subject, message, codec, payload);
    CompletableFuture<TransportMessage> raw = transport.request(subject, headers, payload, timeout);
    published.increment();
    CompletableFuture<AgentMessage> result = raw.thenApply(reply -> decodeReply(subject, reply));
    // cancelling the caller's future must release the transport's inbox
    result.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        raw.cancel(false);
      }
    });
    return result;
  }

  private AgentMessage decodeReply(String subject, TransportMessage reply) {
    String error = reply.headers().first(Headers.ERROR);
    if (error != null && reply.payload().length == 0) {
      throw new RemoteHandlerException(subject, error);
    }
    return codecFor(reply.headers(), reply.payload()).decode(reply.payload());
  }

  private static RuntimeException unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    return new AgentBusException("Request failed: " + t, t);
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
    checkOpen();
    Objects.requireNonNull(handler, "handler");
    Subjects.requirePattern("subject pattern", subjectPattern);
    if (queueGroup != null) {
      Subjects.requireToken("queue group", queueGroup);
    }
    TransportSubscription ts =
        transport.subscribe(subjectPattern, queueGroup, raw -> dispatch(raw, handler));
    return track(new BusSubscription(subjectPattern, List.of(ts)));
  }

  /**
   * Starts {@code numWorkers} workers on the queue {@code <ns>.queue.<queueName>}, in the queue
   * group {@code queueName} (as the seed's Python agents do): each item reaches exactly one worker
   * of all the processes serving that queue, and up to {@code numWorkers} items are handled at once
   * in this process.
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
    checkOpen();
    Objects.requireNonNull(handler, "handler");
    if (numWorkers < 1) {
      throw new IllegalArgumentException("numWorkers must be at least 1, was " + numWorkers);
    }
    String subject = subjects.queue(queueName);
    List<TransportSubscription> workers = new ArrayList<>(numWorkers);
    DurableWorkQueue.QueueCounters counters = counters(queueName);
    try {
      if (optionsFor(queueName).isDurable()) {
        DurableWorkQueue queue = durableQueue(queueName);
        for (int i = 0; i < numWorkers; i++) {
          workers.add(queue.startWorker(handler));
        }
        return track(new BusSubscription(subject, workers));
      }
      MessageHandler counted = d -> {
        counters.delivered.increment();
        try {
          handler.onMessage(d);
        } catch (Exception | Error e) {
          counters.handlerFailures.increment();
          throw e;
        }
        counters.handled.increment();
      };
      for (int i = 0; i < numWorkers; i++) {
        workers.add(transport.subscribe(subject, queueName, raw -> dispatch(raw, counted)));
      }
    } catch (RuntimeException e) {
      workers.forEach(TransportSubscription::unsubscribe);
      throw e;
    }
    return track(new BusSubscription(subject, workers));
  }

  private Subscription track(BusSubscription s) {
    subscriptions.add(s);
    return s;
  }

  /** The options of queue {@code queueName}: as configured, else the default. */
  public QueueOptions queueOptions(String queueName) {
    Subjects.requireToken("queue name", queueName);
    return optionsFor(queueName);
  }

  private QueueOptions optionsFor(String queueName) {
    return queueOptions.getOrDefault(queueName, defaultQueueOptions);
  }

  /** Counters of queue {@code queueName} in this bus; all zero for a queue it has not used. */
  public QueueStats queueStats(String queueName) {
    Subjects.requireToken("queue name", queueName);
    DurableWorkQueue.QueueCounters c = queueCounters.get(queueName);
    return c == null ? new DurableWorkQueue.QueueCounters().snapshot() : c.snapshot();
  }

  private DurableWorkQueue.QueueCounters counters(String queueName) {
    return queueCounters.computeIfAbsent(queueName, q -> new DurableWorkQueue.QueueCounters());
  }

  private DurableWorkQueue durableQueue(String queueName) {
    DurableStreams s = streams;
    if (s == null) {
      throw new ConfigurationException("Queue '" + queueName + "' is durable but " + transport
          + " has no durable streams");
    }
    Subjects.requireToken("queue name", queueName);
    return durableQueues.computeIfAbsent(queueName,
        q -> new DurableWorkQueue(this, s, q, optionsFor(q), counters(q)));
  }

  /** Declares the dead-letter stream if it was configured and failed to declare before. */
  void ensureDeadLetterStream() {
    StreamSpec spec = deadLetterStream;
    DurableStreams s = streams;
    if (spec == null || s == null || deadLetterStreamDeclared) {
      return;
    }
    synchronized (this) {
      if (!deadLetterStreamDeclared) {
        s.declare(spec);
        deadLetterStreamDeclared = true;
      }
    }
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
    checkOpen();
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(start, "start");
    Subjects.requirePattern("subject pattern", subjectPattern);
    StreamSpec kept = null;
    List<String> keptSubjects = new ArrayList<>();
    for (StreamSpec spec : new StreamSpec[] {broadcastStream, deadLetterStream}) {
      if (spec == null) {
        continue;
      }
      keptSubjects.addAll(spec.subjects());
      for (String s : spec.subjects()) {
        if (covers(s, subjectPattern)) {
          kept = spec;
        }
      }
    }
    DurableStreams s = streams;
    if (kept == null || s == null) {
      throw new ConfigurationException("No kept history covers '" + subjectPattern + "'; this "
          + "bus keeps " + (keptSubjects.isEmpty() ? "nothing" : keptSubjects)
          + ". Configure MessageBus.Builder.keepBroadcasts(...) to keep broadcasts.");
    }
    ReplaySpec spec = new ReplaySpec(kept.name(), subjectPattern, start.since(),
        start.fromSequence());
    AtomicLong delivered = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong undecodable = new AtomicLong();
    AtomicLong last = new AtomicLong();
    CompletableFuture<Long> raw = s.replay(spec, m -> {
      last.set(m.sequence());
      replayOne(m, handler, delivered, failures, undecodable);
    });
    CompletableFuture<ReplayResult> result = raw.thenApply(n ->
        new ReplayResult(delivered.get(), failures.get(), undecodable.get(), last.get()));
    result.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        raw.cancel(false);
      }
    });
    return result;
  }

  private void replayOne(StoredMessage m, MessageHandler handler, AtomicLong delivered,
      AtomicLong failures, AtomicLong undecodable) {
    TransportMessage raw = m.message();
    Codec with;
    AgentMessage message;
    try {
      with = codecFor(raw.headers(), raw.payload());
      message = with.decode(raw.payload());
    } catch (CodecException e) {
      undecodable.incrementAndGet();
      log.warn("Replay: could not decode stored message {} of '{}' on '{}': {}; skipping it",
          m.sequence(), m.stream(), raw.subject(), e.getMessage());
      return;
    }
    delivered.incrementAndGet();
    try {
      deliverTo(new Delivery(this, message, raw.subject(), raw.headers(), null, with, m), handler);
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      failures.incrementAndGet();
      log.error("Replay handler failed on stored message {} of '{}' ({} from {}); the replay "
          + "goes on", m.sequence(), m.stream(), message.messageType(), message.fromAgent(), e);
    }
  }

  /** True when every subject matching {@code pattern} also matches {@code streamSubject}. */
  static boolean covers(String streamSubject, String pattern) {
    String[] s = streamSubject.split("\\.", -1);
    String[] p = pattern.split("\\.", -1);
    for (int i = 0; i < s.length; i++) {
      if (s[i].equals(">")) {
        return p.length > i;
      }
      if (i >= p.length || p[i].equals(">")) {
        return false;
      }
      if (!s[i].equals("*") && !s[i].equals(p[i])) {
        return false;
      }
    }
    return s.length == p.length;
  }

  // ------------------------------------------------------------------ delivery

  private void dispatch(TransportMessage raw, MessageHandler handler) {
    received.increment();
    Codec with;
    AgentMessage message;
    try {
      with = codecFor(raw.headers(), raw.payload());
      message = with.decode(raw.payload());
    } catch (CodecException e) {
      decodeFailures.increment();
      log.warn("Could not decode a message on '{}' ({} bytes, {}): {}; dead-lettering it",
          raw.subject(), raw.payload().length, describeContentType(raw.headers()),
          e.getMessage());
      deadLetter(raw, "decode failed: " + e.getMessage());
      return;
    }
    Delivery delivery = new Delivery(this, message, raw.subject(), raw.headers(),
        raw.replyTo(), with);
    try {
      deliver(delivery, handler, 0);
      handled.increment();
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      handlerFailures.increment();
      log.error("Handler for '{}' failed on a {} from {} (correlation_id={}); dead-lettering it",
          raw.subject(), message.messageType(), message.fromAgent(), message.correlationId(), e);
      String error = e.getClass().getSimpleName() + ": " + e.getMessage();
      deadLetter(raw, "handler failed: " + error);
      if (raw.replyTo() != null) {
        replyWithError(raw.replyTo(), error);
      }
    }
  }

  void deliverTo(Delivery delivery, MessageHandler handler) throws Exception {
    deliver(delivery, handler, 0);
  }

  private void deliver(Delivery delivery, MessageHandler handler, int index) throws Exception {
    if (index == interceptors.size()) {
      handler.onMessage(delivery);
      return;
    }
    interceptors.get(index).aroundDelivery(delivery, d -> deliver(d, handler, index + 1));
  }

  /**
   * The codec to decode {@code payload} with: the one its Content-Type header names, or without
   * the header the one that {@linkplain Codec#recognizes recognizes} it, or JSON.
   *
   * @throws CodecException if no registered codec fits, naming the content type
   */
  Codec codecFor(Headers headers, byte[] payload) {
    if (headers.isEmpty()) {
      return unlabelled(payload); // how nearly every message arrives
    }
    CodecChoice last = lastChoice;
    if (last == null || last.headers != headers) {
      // transports hand over the same Headers instance message after message
      String type = headers.first(Headers.CONTENT_TYPE);
      last = new CodecChoice(headers, type == null ? null : lookUpCodec(type));
      lastChoice = last;
    }
    return last.codec == null ? unlabelled(payload) : last.codec;
  }

  private Codec unlabelled(byte[] payload) {
    for (Codec c : recognizers) {
      if (c.recognizes(payload)) {
        return c;
      }
    }
    int first = firstNonWhitespace(payload);
    if (first < payload.length && (payload[first] < 0x20 || payload[first] >= 0x7f)) {
      throw new CodecException("A message without a Content-Type header is JSON unless a "
          + "registered codec recognizes it, but this payload is binary (" + payload.length
          + " bytes, byte " + first + " is 0x" + String.format("%02x", payload[first] & 0xff)
          + ") and none of " + codecsByType.keySet() + " recognizes it"
          + (recognizers.length > 0 ? "" : ". If its sender publishes Protobuf, register "
              + "ProtobufCodec with MessageBus.Builder.additionalCodecs"));
    }
    return jsonCodec != null ? jsonCodec : lookUpCodec(DEFAULT_CONTENT_TYPE); // which throws
  }

  /** The index of the first byte that is not JSON whitespace, or the length. */
  private static int firstNonWhitespace(byte[] payload) {
    int i = 0;
    while (i < payload.length && (payload[i] == ' ' || payload[i] == '\n'
        || payload[i] == '\r' || payload[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static final class CodecChoice {
    final Headers headers;
    /** Null: the headers name no content type. */
    final @Nullable Codec codec;

    CodecChoice(Headers headers, @Nullable Codec codec) {
      this.headers = headers;
      this.codec = codec;
    }
  }

  private Codec lookUpCodec(String type) {
    Codec c = codecsByType.get(type);
    if (c == null) {
      c = codecsByType.get(normalizeContentType(type));
    }
    if (c == null) {
      throw new CodecException("No codec registered for content type '" + type
          + "'; this bus decodes " + codecsByType.keySet());
    }
    return c;
  }

  /** {@code Application/JSON; charset=utf-8} becomes {@code application/json}. */
  private static String normalizeContentType(String type) {
    int semicolon = type.indexOf(';');
    String bare = semicolon < 0 ? type : type.substring(0, semicolon);
    return bare.trim().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describeContentType(Headers headers) {
    String type = headers.first(Headers.CONTENT_TYPE);
    return type == null ? "no Content-Type" : type;
  }

  private void deadLetter(TransportMessage raw, String error) {
    String dlq = subjects.deadLetter();
    if (raw.subject().equals(dlq)) {
      log.error("A dead letter itself failed ({}); not republishing it to avoid a loop", error);
      deadLetterFailures.increment();
      return;
    }
    try {
      Headers h = raw.headers().toBuilder()
          .set(Headers.ERROR, singleLine(error))
          .set(Headers.ORIGINAL_SUBJECT, raw.subject())
          .build();
      transport.publish(dlq, null, h, raw.payload());
      published.increment();
      deadLettered.increment();
    } catch (RuntimeException e) {
      deadLetterFailures.increment();
      log.error("Could not dead-letter a message from '{}' ({}); it is counted in "
          + "BusStats.deadLetterFailures", raw.subject(), error, e);
    }
  }

  private void replyWithError(String replyTo, String error) {
    try {
      transport.publish(replyTo, null, Headers.of(Headers.ERROR, singleLine(error)), new byte[0]);
      published.increment();
    } catch (RuntimeException e) {
      log.warn("Could not tell the requester on '{}' that its request failed", replyTo, e);
    }
  }

  static String singleLine(String s) {
    String one = s.replace('\r', ' ').replace('\n', ' ');
    // headers travel in the NATS protocol line; keep them reasonably small
    byte[] utf8 = one.getBytes(StandardCharsets.UTF_8);
    return utf8.length <= 1024 ? one : one.substring(0, Math.min(one.length(), 1000)) + "...";
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Drains every subscription (handlers finish what they received), flushes and closes the
   * transport. Completes exceptionally if {@code timeout} passes first.
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    subscriptions.forEach(s -> s.active.set(false));
    return transport.drain(timeout);
  }

  /** Closes at once: subscriptions stop, the transport closes. Idempotent. */
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

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("This MessageBus is closed");
    }
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
    return codec;
  }

  public Transport transport() {
    return transport;
  }

  /**
   * Waits until everything published so far has reached the server (in memory: has been handed
   * to the matching subscriptions).
   *
   * @throws TransportException when that takes longer than {@code timeout}
   */
  public void flush(Duration timeout) {
    checkOpen();
    transport.flush(timeout);
  }

  /** Adds a listener for the transport's connection and slow-consumer events. */
  public void addConnectionListener(io.agentbus.spi.ConnectionListener listener) {
    transport.addConnectionListener(Objects.requireNonNull(listener, "listener"));
  }

  /** The transport's counters (connection-level: reconnects, drops, bytes). */
  public io.agentbus.spi.TransportStats transportStats() {
    return transport.stats();
  }

  public Duration defaultRequestTimeout() {
    return defaultRequestTimeout;
  }

  void countPublished() {
    published.increment();
  }

  void countReceived() {
    received.increment();
  }

  void countHandled() {
    handled.increment();
  }

  void countHandlerFailure() {
    handlerFailures.increment();
  }

  void countDecodeFailure() {
    decodeFailures.increment();
  }

  void countDeadLettered() {
    deadLettered.increment();
  }

  void countDeadLetterFailure() {
    deadLetterFailures.increment();
  }

  public BusStats stats() {
    return new BusStats(published.sum(), received.sum(), handled.sum(), handlerFailures.sum(),
        decodeFailures.sum(), deadLettered.sum(), deadLetterFailures.sum());
  }

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

  @Override
  public String toString() {
    return "MessageBus{namespace=" + subjects.namespace() + ", codec=" + codec.contentType()
        + ", transport=" + transport + "}";
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
        throw new IllegalArgumentException("defaultRequestTimeout must be positive, was "
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
     * Builds the bus. With durable queues or kept history, declares their streams first.
     *
     * @throws ConfigurationException if durability is configured and the transport has no
     *     durable streams, or a stream cannot be declared as configured
     * @throws TransportException if the transport's store cannot be reached to declare them
     */
    public MessageBus build() {
      return new MessageBus(this);
    }
  }
}
