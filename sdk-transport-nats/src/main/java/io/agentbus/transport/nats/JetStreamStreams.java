package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DurableStreams} on NATS JetStream (server 2.9 or newer) through the transport's one jnats
 * connection: file-stored streams with work-queue or limits retention, {@code Nats-Msg-Id}
 * de-duplication, durable pull consumers with explicit, synchronous acknowledgement, and replay
 * through short-lived ephemeral consumers.
 *
 * <p>Why the consumers are configured as they are: redelivery after a handler failure is a
 * delayed NAK ({@code nakWithDelay}), because a consumer {@code BackOff} on NATS replaces the ack
 * wait of each delivery (the server sets {@code AckWait = BackOff[0]}), which would turn a
 * long-running handler into redeliveries. {@code MaxDeliver} is unlimited on the server: when an
 * item has had its deliveries, the bus dead-letters it and only then acknowledges it, so no item is
 * left stranded in the stream by a server that stopped delivering it.
 *
 * <p>Every jnats exception is translated here into {@link TransportException} (retriable when the
 * server may be back, or the stream's leader elected, soon) or {@link ConfigurationException}.
 * Thread-safe.
 */
final class JetStreamStreams implements DurableStreams {
  private static final Logger log = LoggerFactory.getLogger(JetStreamStreams.class);
  /** Items fetched per pull request; small, so items do not wait long unseen in a batch. */
  private static final int BATCH = 8;
  private static final Duration FETCH_WAIT = Duration.ofMillis(500);
  private static final Duration PAUSE_AFTER_ERROR = Duration.ofMillis(100);
  private static final Duration REPLAY_INACTIVE = Duration.ofMinutes(1);
  /** JetStream keeps at most this many copies of a stream (core leaves the cap to us). */
  static final int MAX_REPLICAS = 5;
  private static final int STREAM_NOT_FOUND = 10059;
  private static final int SUBJECTS_OVERLAP = 10065;
  private static final int JETSTREAM_NOT_ENABLED = 10076;
  /** "no suitable peers for placement": fewer JetStream servers than replicas, for now. */
  private static final int NO_SUITABLE_PEERS = 10005;
  /**
   * Errors of a cluster that is electing leaders or missing a node: cluster incomplete, not
   * active, not assigned, temporarily unavailable, not leader, stream or consumer offline.
   */
  private static final Set<Integer> TRANSIENT =
      Set.of(10004, 10006, 10007, 10008, 10009, 10118, 10119);

  private final Connection connection;
  private final Duration apiTimeout;
  private final String name;
  private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
  private final Set<Thread> replays = ConcurrentHashMap.newKeySet();
  private volatile @Nullable JetStreamManagement jsm;
  private volatile @Nullable JetStream js;

  /**
   * @param apiTimeout how long a JetStream API call or synchronous ack may take
   * @param name the connection's name, for thread names
   */
  JetStreamStreams(Connection connection, Duration apiTimeout, String name) {
    this.connection = connection;
    this.apiTimeout = apiTimeout;
    this.name = name;
  }

  // ------------------------------------------------------------------ streams

  /**
   * {@inheritDoc}
   *
   * @throws ConfigurationException if the spec asks for more than {@value #MAX_REPLICAS}
   *     replicas, JetStream's limit
   */
  @Override
  public void declare(StreamSpec spec) {
    if (spec.replicas() > MAX_REPLICAS) {
      throw new ConfigurationException("JetStream stream '" + spec.name() + "' asks for "
          + spec.replicas() + " replicas, but JetStream keeps at most " + MAX_REPLICAS
          + " copies of a stream; lower the replicas to " + MAX_REPLICAS + " or fewer");
    }
    StreamConfiguration wanted = StreamConfiguration.builder()
        .name(spec.name())
        .subjects(spec.subjects())
        .retentionPolicy(spec.retention() == StreamSpec.Retention.WORK_QUEUE
            ? RetentionPolicy.WorkQueue : RetentionPolicy.Limits)
        .storageType(StorageType.File)
        .replicas(spec.replicas())
        .maxAge(spec.maxAge())
        .maxMessages(spec.maxMessages())
        .duplicateWindow(spec.duplicateWindow())
        .build();
    JetStreamManagement m = management();
    try {
      StreamInfo info;
      try {
        info = m.getStreamInfo(spec.name());
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
          throw e;
        }
        m.addStream(wanted);
        log.info("Created JetStream stream '{}' on {} ({}, {} replica(s))", spec.name(),
            spec.subjects(), spec.retention(), spec.replicas());
        return;
      }
      StreamConfiguration have = info.getConfiguration();
      if (have.getRetentionPolicy() != wanted.getRetentionPolicy()) {
        throw new ConfigurationException("JetStream stream '" + spec.name() + "' exists with "
            + "retention " + have.getRetentionPolicy() + ", but " + spec.retention()
            + " is configured; retention cannot be changed: delete the stream or name another");
      }
      if (!new HashSet<>(have.getSubjects()).equals(new HashSet<>(spec.subjects()))
          || !Objects.equals(have.getMaxAge(), spec.maxAge())
          || have.getMaxMsgs() != spec.maxMessages()
          || !Objects.equals(have.getDuplicateWindow(), spec.duplicateWindow())
          || have.getReplicas() != spec.replicas()) {
        m.updateStream(wanted);
        log.info("Updated JetStream stream '{}' to {}", spec.name(), spec);
      }
    } catch (JetStreamApiException e) {
      throw apiFailure("declare stream '" + spec.name() + "' on " + spec.subjects(), e);
    } catch (IOException e) {
      throw unavailable("declare stream '" + spec.name() + "'", e);
    } catch (IllegalStateException e) {
      throw closed(e);
    }
  }

  // ------------------------------------------------------------------ publishing

  @Override
  public CompletableFuture<StoreAck> publish(String subject, Headers headers, byte[] payload,
      String messageId, Duration timeout) {
    // The message id travels as Nats-Msg-Id (HeaderMapping), on which the store de-duplicates.
    // A plain request rather than jnats' publishAsync: jnats turns a no-responders status of its
    // own publish into an IOException carrying only text; a request keeps the status.
    Headers withId = headers.with(Headers.MESSAGE_ID, messageId);
    CompletableFuture<Message> sent;
    try {
      sent = connection.requestWithTimeout(subject, HeaderMapping.toNats(withId), payload,
          timeout);
    } catch (IllegalStateException e) {
      // closed, or the reconnect buffer is full
      return CompletableFuture.failedFuture(connection.getStatus() == Connection.Status.CLOSED
          ? closed(e) : new TransportException("Could not send item " + messageId + " to '"
              + subject + "': " + e.getMessage(), e, true));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new TransportException("Could not send item "
          + messageId + " to '" + subject + "': " + e.getMessage(), e, false));
    }
    CompletableFuture<StoreAck> result = new CompletableFuture<>();
    sent.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((reply, error) -> {
      if (error == null) {
        try {
          PublishAck ack = new PublishAck(reply);
          result.complete(new StoreAck(ack.getStream(), ack.getSeqno(), ack.isDuplicate()));
        } catch (IOException | JetStreamApiException e) {
          result.completeExceptionally(publishFailure(subject, messageId, timeout, e));
        }
        return;
      }
      sent.cancel(true);
      result.completeExceptionally(publishFailure(subject, messageId, timeout, error));
    });
    result.whenComplete((a, e) -> {
      if (e instanceof CancellationException) {
        sent.cancel(true);
      }
    });
    return result;
  }

  private TransportException publishFailure(String subject, String messageId, Duration timeout,
      Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof TimeoutException || t instanceof CancellationException) {
      return new TransportException("The store did not acknowledge item " + messageId + " on '"
          + subject + "' within " + timeout.toMillis() + " ms" + outage(), t, true);
    }
    if (t instanceof JetStreamApiException) {
      JetStreamApiException api = (JetStreamApiException) t;
      return new TransportException("The store refused item " + messageId + " on '" + subject
          + "': " + api.getMessage(), api, false);
    }
    if (t instanceof JetStreamStatusException
        && ((JetStreamStatusException) t).getStatus().isNoResponders()) {
      return new TransportException("No stream answered for item " + messageId + " on '"
          + subject + "' (no stream captures the subject, or its leader is being elected)"
          + outage(), t, true);
    }
    return new TransportException("Storing item " + messageId + " on '" + subject
        + "' failed: " + t.getMessage() + outage(), t, true);
  }

  // ------------------------------------------------------------------ consuming

  @Override
  public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
    ConsumerConfiguration cc = ConsumerConfiguration.builder()
        .durable(spec.name())
        .filterSubject(spec.filterSubject())
        .ackPolicy(AckPolicy.Explicit)
        .ackWait(spec.ackWait())
        .maxDeliver(-1)
        .maxAckPending(spec.maxAckPending())
        .deliverPolicy(DeliverPolicy.All)
        .build();
    JetStreamSubscription sub;
    try {
      ensureConsumer(spec, cc);
      sub = jetStream().subscribe(spec.filterSubject(),
          PullSubscribeOptions.fastBind(spec.stream(), spec.name()));
    } catch (JetStreamApiException e) {
      throw apiFailure("start a worker on consumer '" + spec.name() + "' of stream '"
          + spec.stream() + "'", e);
    } catch (IOException e) {
      throw unavailable("start a worker on consumer '" + spec.name() + "'", e);
    } catch (IllegalStateException e) {
      throw closed(e);
    }
    Worker w = new Worker(spec, sub, handler);
    workers.add(w);
    w.start();
    return w;
  }

  private void ensureConsumer(ConsumerSpec spec, ConsumerConfiguration cc)
      throws IOException, JetStreamApiException {
    JetStreamManagement m = management();
    try {
      m.addOrUpdateConsumer(spec.stream(), cc);
    } catch (JetStreamApiException e) {
      // another process may have created it with other settings (an older ack wait); use it
      ConsumerInfo existing;
      try {
        existing = m.getConsumerInfo(spec.stream(), spec.name());
      } catch (JetStreamApiException notThere) {
        throw e;
      }
      log.warn("Consumer '{}' of stream '{}' exists with other settings ({}); using it as it is "
          + "(ack wait {}); delete it to apply {}", spec.name(), spec.stream(), e.getMessage(),
          existing.getConsumerConfiguration().getAckWait(), spec);
    }
  }

  /** One worker: a thread that fetches small batches from the durable consumer. */
  private final class Worker implements TransportSubscription {
    private final ConsumerSpec spec;
    private final JetStreamSubscription sub;
    private final StoredMessageHandler handler;
    private final Thread thread;
    /** False once unsubscribed or draining: fetch no more. */
    private final AtomicBoolean fetching = new AtomicBoolean(true);
    /** False once unsubscribed: items taken and not yet handled are released. */
    private volatile boolean handling = true;
    private final AtomicLong delivered = new AtomicLong();
    private volatile int pending;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    Worker(ConsumerSpec spec, JetStreamSubscription sub, StoredMessageHandler handler) {
      this.spec = spec;
      this.sub = sub;
      this.handler = handler;
      this.thread = new Thread(this::run, "agentbus-js-worker-" + spec.stream() + "-" + name);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      try {
        while (fetching.get()) {
          List<Message> batch;
          try {
            batch = sub.fetch(BATCH, FETCH_WAIT);
          } catch (JetStreamStatusException e) {
            // e.g. the consumer moved to a new leader or was deleted; try again shortly
            log.debug("Pull from consumer '{}' of '{}' failed: {}", spec.name(), spec.stream(),
                e.getMessage());
            pause();
            continue;
          } catch (IllegalStateException e) {
            if (connection.getStatus() == Connection.Status.CLOSED || !sub.isActive()) {
              return;
            }
            pause();
            continue;
          } catch (RuntimeException e) {
            log.warn("Pull from consumer '{}' of '{}' failed; trying again", spec.name(),
                spec.stream(), e);
            pause();
            continue;
          }
          pending = batch.size();
          for (Message m : batch) {
            pending--;
            if (!handling) {
              nakQuietly(m);
              continue;
            }
            delivered.incrementAndGet();
            try {
              handler.onMessage(new Stored(m));
            } catch (Exception | Error e) {
              if (e instanceof VirtualMachineError) {
                throw (Error) e;
              }
              log.warn("Worker of consumer '{}' failed on an item of '{}'; it comes back after "
                  + "the ack wait", spec.name(), spec.stream(), e);
            }
          }
        }
      } finally {
        workers.remove(this);
        try {
          if (sub.isActive()) {
            sub.unsubscribe();
          }
        } catch (RuntimeException e) {
          log.debug("Unsubscribing the pull subscription of '{}' failed", spec.name(), e);
        }
        stopped.complete(null);
      }
    }

    private void nakQuietly(Message m) {
      try {
        m.nak();
      } catch (RuntimeException e) {
        log.debug("Could not release an item of '{}'; it comes back after the ack wait",
            spec.stream(), e);
      }
    }

    private void pause() {
      try {
        Thread.sleep(PAUSE_AFTER_ERROR.toMillis()); // no busy loop while the server is away
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fetching.set(false);
      }
    }

    @Override
    public String subject() {
      return spec.filterSubject();
    }

    @Override
    public @Nullable String queueGroup() {
      return spec.name();
    }

    @Override
    public void unsubscribe() {
      handling = false;
      fetching.set(false);
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
      fetching.set(false);
      return stopped.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .exceptionallyCompose(t -> CompletableFuture.failedFuture(new TransportException(
              "The worker of consumer '" + spec.name() + "' did not finish within "
                  + timeout.toMillis() + " ms", t, true)));
    }

    @Override
    public boolean isActive() {
      return fetching.get() && !stopped.isDone();
    }

    @Override
    public long pendingMessages() {
      return pending;
    }

    @Override
    public long deliveredMessages() {
      return delivered.get();
    }

    @Override
    public long droppedMessages() {
      return 0; // never dropped: an unsettled item is redelivered
    }

    @Override
    public String toString() {
      return "JetStreamWorker{" + spec.stream() + "/" + spec.name() + "}";
    }
  }

  /**
   * Lets every worker finish the items it has taken, up to {@code timeout}; called before the
   * connection drains, so that their acknowledgements still reach the server.
   */
  void drainWorkers(Duration timeout) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (Worker w : workers) {
      done.add(w.drain(timeout).exceptionally(t -> null));
    }
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("JetStream workers did not finish within {} ms; their items come back after the "
          + "ack wait", timeout.toMillis());
    }
  }

  /** Stops every worker and replay at once (the connection is closing). */
  void stopAll() {
    workers.forEach(Worker::unsubscribe);
    replays.forEach(Thread::interrupt);
  }

  /** A delivered JetStream message. */
  private final class Stored implements StoredMessage {
    private final Message m;
    private final NatsJetStreamMetaData meta;
    private final TransportMessage message;

    Stored(Message m) {
      this.m = m;
      this.meta = m.metaData();
      TransportMessage raw = HeaderMapping.fromNats(m);
      this.message = new TransportMessage(raw.subject(), null, raw.headers(), raw.payload());
    }

    @Override
    public TransportMessage message() {
      return message;
    }

    @Override
    public String stream() {
      return meta.getStream();
    }

    @Override
    public long sequence() {
      return meta.streamSequence();
    }

    @Override
    public Instant storedAt() {
      return meta.timestamp().toInstant();
    }

    @Override
    public int deliveryCount() {
      return (int) Math.min(Integer.MAX_VALUE, meta.deliveredCount());
    }

    @Override
    public void ack() {
      try {
        m.ackSync(apiTimeout);
      } catch (TimeoutException e) {
        throw new TransportException("The server did not confirm the acknowledgement of item "
            + sequence() + " of '" + stream() + "' within " + apiTimeout.toMillis() + " ms"
            + outage(), e, true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("Interrupted while acknowledging item " + sequence()
            + " of '" + stream() + "'", e, true);
      } catch (IllegalStateException e) {
        throw closed(e);
      } catch (RuntimeException e) {
        throw new TransportException("Acknowledging item " + sequence() + " of '" + stream()
            + "' failed: " + e.getMessage(), e, true);
      }
    }

    @Override
    public void retryAfter(Duration delay) {
      try {
        if (delay.isZero() || delay.isNegative()) {
          m.nak();
        } else {
          m.nakWithDelay(delay);
        }
      } catch (IllegalStateException e) {
        throw closed(e);
      }
    }

    @Override
    public void inProgress() {
      try {
        m.inProgress();
      } catch (IllegalStateException e) {
        throw closed(e);
      }
    }

    @Override
    public String toString() {
      return "StoredMessage{" + stream() + "#" + sequence() + ", delivery " + deliveryCount()
          + "}";
    }
  }

  // ------------------------------------------------------------------ replay

  @Override
  public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
    ConsumerConfiguration.Builder b = ConsumerConfiguration.builder()
        .filterSubject(spec.subjectFilter())
        .ackPolicy(AckPolicy.None)
        .inactiveThreshold(REPLAY_INACTIVE)
        .memStorage(true);
    Instant since = spec.since();
    if (since != null) {
      b.deliverPolicy(DeliverPolicy.ByStartTime).startTime(since.atZone(ZoneOffset.UTC));
    } else if (spec.fromSequence() > 1) {
      b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(spec.fromSequence());
    } else {
      b.deliverPolicy(DeliverPolicy.All);
    }
    ConsumerInfo ci = null;
    for (int attempt = 1; ci == null; attempt++) {
      try {
        // as many replicas as the stream: an R1 consumer may be placed on a server that is down
        int replicas = management().getStreamInfo(spec.stream()).getConfiguration()
            .getReplicas();
        ci = management().addOrUpdateConsumer(spec.stream(), b.numReplicas(replicas).build());
      } catch (JetStreamApiException e) {
        RuntimeException r = apiFailure("replay '" + spec.subjectFilter() + "' from stream '"
            + spec.stream() + "'", e);
        if (attempt == 3 || !(r instanceof TransportException)) {
          throw r;
        }
      } catch (IOException e) {
        if (attempt == 3) {
          throw unavailable("replay from stream '" + spec.stream() + "'", e);
        }
      } catch (IllegalStateException e) {
        throw closed(e);
      }
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    String consumer = ci.getName();
    long expected = ci.getNumPending();
    if (expected == 0) {
      deleteQuietly(spec.stream(), consumer);
      done.complete(0L);
      return done;
    }
    Thread t = new Thread(() -> runReplay(spec, consumer, handler, done),
        "agentbus-js-replay-" + spec.stream() + "-" + name);
    t.setDaemon(true);
    replays.add(t);
    done.whenComplete((n, e) -> {
      if (e instanceof CancellationException) {
        t.interrupt();
      }
    });
    t.start();
    return done;
  }

  private void runReplay(ReplaySpec spec, String consumer, StoredMessageHandler handler,
      CompletableFuture<Long> done) {
    long n = 0;
    JetStreamSubscription sub = null;
    try {
      try {
        sub = jetStream().subscribe(spec.subjectFilter(),
            PullSubscribeOptions.fastBind(spec.stream(), consumer));
      } catch (IOException | JetStreamApiException e) {
        throw new TransportException("Could not read stream '" + spec.stream() + "': "
            + e.getMessage() + outage(), e, true);
      }
      long quietSince = System.nanoTime();
      while (!done.isDone() && !Thread.currentThread().isInterrupted()) {
        List<Message> batch = sub.fetch(256, FETCH_WAIT);
        if (batch.isEmpty()) {
          if (System.nanoTime() - quietSince > apiTimeout.toNanos()) {
            throw new TransportException("The replay of '" + spec.subjectFilter() + "' from '"
                + spec.stream() + "' stalled after " + n + " messages" + outage(), null, true);
          }
          continue;
        }
        quietSince = System.nanoTime();
        for (Message m : batch) {
          Stored s = new Stored(m);
          n++;
          try {
            handler.onMessage(s);
          } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError) {
              throw (Error) e;
            }
            log.warn("Replay handler failed on message {} of '{}'", s.sequence(), spec.stream(),
                e);
          }
          if (m.metaData().pendingCount() == 0) {
            done.complete(n);
            return;
          }
        }
      }
      done.completeExceptionally(new CancellationException("replay stopped"));
    } catch (RuntimeException e) {
      done.completeExceptionally(e instanceof TransportException ? e
          : new TransportException("The replay of '" + spec.subjectFilter() + "' from '"
              + spec.stream() + "' failed after " + n + " messages: " + e.getMessage(), e, true));
    } finally {
      replays.remove(Thread.currentThread());
      if (sub != null) {
        try {
          sub.unsubscribe();
        } catch (RuntimeException ignored) {
          // the connection is going away; the consumer expires by itself
        }
      }
      deleteQuietly(spec.stream(), consumer);
    }
  }

  private void deleteQuietly(String stream, String consumer) {
    try {
      management().deleteConsumer(stream, consumer);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      log.debug("Could not delete replay consumer '{}' of '{}'; it expires after {}", consumer,
          stream, REPLAY_INACTIVE, e);
    }
  }

  // ------------------------------------------------------------------ internals

  private JetStreamManagement management() {
    JetStreamManagement m = jsm;
    if (m == null) {
      try {
        m = connection.jetStreamManagement();
      } catch (IOException e) {
        throw unavailable("use JetStream", e);
      }
      jsm = m;
    }
    return m;
  }

  private JetStream jetStream() {
    JetStream j = js;
    if (j == null) {
      try {
        j = connection.jetStream();
      } catch (IOException e) {
        throw unavailable("use JetStream", e);
      }
      js = j;
    }
    return j;
  }

  private String outage() {
    return connection.getStatus() == Connection.Status.CONNECTED ? ""
        : " (the connection is " + connection.getStatus().name().toLowerCase() + ")";
  }

  private RuntimeException apiFailure(String what, JetStreamApiException e) {
    switch (e.getApiErrorCode()) {
      case SUBJECTS_OVERLAP:
        return new ConfigurationException("Could not " + what + ": its subjects overlap those "
            + "of another stream on the server (" + e.getMessage() + "); a subject can be kept "
            + "by one stream only", e);
      case NO_SUITABLE_PEERS:
        return new TransportException("Could not " + what + " yet: " + e.getMessage()
            + " (fewer JetStream servers are up than the replicas asked for: a cluster still "
            + "forming or a node down; if the cluster is smaller than the replica count, lower "
            + "the replicas)" + outage(), e, true);
      case JETSTREAM_NOT_ENABLED:
        return new ConfigurationException("Could not " + what + ": JetStream is not enabled on "
            + "the NATS server (start nats-server with -js, or enable it for the account)", e);
      default:
        if (TRANSIENT.contains(e.getApiErrorCode())) {
          return new TransportException("Could not " + what + " yet: " + e.getMessage()
              + " (the JetStream cluster is electing a leader or missing a server)" + outage(),
              e, true);
        }
        if (e.getErrorCode() == 503 || e.getErrorCode() == 408) {
          return new TransportException("Could not " + what + ": JetStream did not answer ("
              + e.getMessage() + "); is nats-server started with -js?" + outage(), e, true);
        }
        return new ConfigurationException("Could not " + what + ": the server refused: "
            + e.getMessage(), e);
    }
  }

  private TransportException unavailable(String what, IOException e) {
    return new TransportException("Could not " + what + ": JetStream did not answer ("
        + e.getMessage() + "). Is nats-server started with -js (JetStream enabled)?" + outage(),
        e, true);
  }

  private static TransportException closed(RuntimeException e) {
    return new TransportException("The NATS connection is closed: " + e.getMessage(), e, false);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || (t instanceof RuntimeException && t.getClass() == RuntimeException.class))
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "JetStreamStreams{" + name + "}";
  }
}
