package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportSubscription;
import io.nats.client.Connection;
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
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>This class declares streams and consumers, publishes, and keeps the register of running
 * workers; a {@link JetStreamWorker} pulls for each consumer, a {@link JetStreamStoredMessage} is
 * each item delivered, {@link JetStreamReplay} runs the replays, and {@link JetStreamContext}
 * translates every jnats exception into {@link TransportException} (retriable when the server may
 * be back, or the stream's leader elected, soon) or {@link ConfigurationException}. Thread-safe.
 */
final class JetStreamStreams implements DurableStreams {
  private static final Logger log = LoggerFactory.getLogger(JetStreamStreams.class);
  /** JetStream keeps at most this many copies of a stream (core leaves the cap to us). */
  static final int MAX_REPLICAS = 5;
  private static final int STREAM_NOT_FOUND = 10059;
  private static final int CONSUMER_NOT_FOUND = 10014;

  private final Connection connection;
  private final JetStreamContext context;
  private final Set<JetStreamWorker> workers = ConcurrentHashMap.newKeySet();
  private final JetStreamReplay replay;

  /**
   * @param apiTimeout how long a JetStream API call or synchronous ack may take
   * @param name the connection's name, for thread names
   */
  JetStreamStreams(Connection connection, Duration apiTimeout, String name) {
    this.connection = connection;
    this.context = new JetStreamContext(connection, apiTimeout, name);
    this.replay = new JetStreamReplay(context);
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
    JetStreamManagement m = context.management();
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
      throw context.apiFailure("declare stream '" + spec.name() + "' on " + spec.subjects(), e);
    } catch (IOException e) {
      throw context.unavailable("declare stream '" + spec.name() + "'", e);
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
    }
  }

  /** {@inheritDoc} Two JetStream API requests: the stream's info and the consumer's. */
  @Override
  public Optional<QueueState> queueState(String stream, String consumer) {
    JetStreamManagement m = context.management();
    try {
      StreamState state;
      try {
        state = m.getStreamInfo(stream).getStreamState();
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
          return Optional.empty();
        }
        throw e;
      }
      ConsumerInfo info;
      try {
        info = m.getConsumerInfo(stream, consumer);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == CONSUMER_NOT_FOUND) {
          return Optional.of(new QueueState(stream, consumer, state.getMsgCount(), false, 0, 0,
              0));
        }
        throw e;
      }
      return Optional.of(new QueueState(stream, consumer, state.getMsgCount(), true,
          info.getNumPending(), info.getNumAckPending(), info.getRedelivered()));
    } catch (JetStreamApiException e) {
      throw context.apiFailure("read the state of stream '" + stream + "' and consumer '"
          + consumer + "'", e);
    } catch (IOException e) {
      throw context.unavailable("read the state of stream '" + stream + "'", e);
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
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
          ? JetStreamContext.closed(e) : new TransportException("Could not send item "
              + messageId + " to '" + subject + "': " + e.getMessage(), e, true));
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
    Throwable t = JetStreamContext.unwrap(error);
    if (t instanceof TimeoutException || t instanceof CancellationException) {
      return new TransportException("The store did not acknowledge item " + messageId + " on '"
          + subject + "' within " + timeout.toMillis() + " ms" + context.outage(), t, true);
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
          + context.outage(), t, true);
    }
    return new TransportException("Storing item " + messageId + " on '" + subject
        + "' failed: " + t.getMessage() + context.outage(), t, true);
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
      sub = context.jetStream().subscribe(spec.filterSubject(),
          PullSubscribeOptions.fastBind(spec.stream(), spec.name()));
    } catch (JetStreamApiException e) {
      throw context.apiFailure("start a worker on consumer '" + spec.name() + "' of stream '"
          + spec.stream() + "'", e);
    } catch (IOException e) {
      throw context.unavailable("start a worker on consumer '" + spec.name() + "'", e);
    } catch (IllegalStateException e) {
      throw JetStreamContext.closed(e);
    }
    JetStreamWorker w = new JetStreamWorker(context, workers, spec, sub, handler);
    workers.add(w);
    w.start();
    return w;
  }

  private void ensureConsumer(ConsumerSpec spec, ConsumerConfiguration cc)
      throws IOException, JetStreamApiException {
    JetStreamManagement m = context.management();
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

  /**
   * Lets every worker finish the items it has taken, up to {@code timeout}; called before the
   * connection drains, so that their acknowledgements still reach the server.
   */
  void drainWorkers(Duration timeout) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (JetStreamWorker w : workers) {
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
    workers.forEach(JetStreamWorker::unsubscribe);
    replay.stopAll();
  }

  // ------------------------------------------------------------------ replay

  @Override
  public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
    return replay.replay(spec, handler);
  }

  @Override
  public String toString() {
    return "JetStreamStreams{" + context.name + "}";
  }
}
