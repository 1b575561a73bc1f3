package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The work queues of one {@link MessageBus}: each queue's options, publishing an item and
 * starting workers, at most once on a core NATS queue group or durably through a {@link
 * DurableWorkQueue}. Thread-safe.
 */
final class WorkQueues {
  private final Transport transport;
  private final Subjects subjects;
  private final Map<String, QueueOptions> options;
  private final QueueOptions defaults;
  private final @Nullable DurableStreams streams;
  private final PublishPath publisher;
  private final DeliveryPipeline pipeline;
  private final DeadLetters deadLetters;
  private final BusMetrics metrics;
  private final Map<String, DurableWorkQueue> durable = new ConcurrentHashMap<>();

  WorkQueues(Transport transport, Subjects subjects, Map<String, QueueOptions> options,
      QueueOptions defaults, @Nullable DurableStreams streams, PublishPath publisher,
      DeliveryPipeline pipeline, DeadLetters deadLetters, BusMetrics metrics) {
    this.transport = transport;
    this.subjects = subjects;
    this.options = Map.copyOf(options);
    this.defaults = defaults;
    this.streams = streams;
    this.publisher = publisher;
    this.pipeline = pipeline;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  /** True when any queue, or the default, is durable. */
  static boolean anyDurable(Map<String, QueueOptions> options, QueueOptions defaults) {
    return defaults.isDurable() || options.values().stream().anyMatch(QueueOptions::isDurable);
  }

  /** The most replicas any durable queue asks for: what its dead letters are kept on. */
  static int maxReplicas(Map<String, QueueOptions> options, QueueOptions defaults) {
    int replicas = defaults.replicas();
    for (QueueOptions o : options.values()) {
      replicas = Math.max(replicas, o.replicas());
    }
    return replicas;
  }

  QueueOptions optionsFor(String queueName) {
    return options.getOrDefault(queueName, defaults);
  }

  /** Declares the streams of the queues configured durable by name. */
  void declareConfigured() {
    options.forEach((name, o) -> {
      if (o.isDurable()) {
        durableQueue(name).ensureDeclared();
      }
    });
  }

  boolean isDurable(String queueName) {
    return optionsFor(queueName).isDurable();
  }

  /** Publishes to a durable queue; completes when the stream stored the item. */
  CompletableFuture<QueueReceipt> publishDurably(String queueName, AgentMessage message,
      String messageId) {
    return durableQueue(queueName).publish(message, messageId);
  }

  /**
   * Publishes to an at-most-once queue; {@code messageId} travels in its header when given (an
   * item without one costs a header-less message less on NATS).
   */
  QueueReceipt publishAtMostOnce(String queueName, AgentMessage message,
      @Nullable String messageId) {
    publisher.checkOpen();
    String subject = subjects.queue(queueName);
    Codec codec = publisher.primaryCodec();
    byte[] payload = codec.encode(message);
    Headers headers = publisher.headersFor(subject, message, codec, payload, messageId);
    publisher.send(subject, null, headers, payload);
    metrics.queue(queueName).published.increment();
    return new QueueReceipt(queueName, messageId, false, null, 0, false);
  }

  /** Starts {@code numWorkers} workers; on a failure stops those already started and throws. */
  List<TransportSubscription> startWorkers(String queueName, MessageHandler handler,
      int numWorkers) {
    List<TransportSubscription> workers = new ArrayList<>(numWorkers);
    try {
      if (optionsFor(queueName).isDurable()) {
        DurableWorkQueue queue = durableQueue(queueName);
        for (int i = 0; i < numWorkers; i++) {
          workers.add(queue.startWorker(handler));
        }
        return workers;
      }
      BusMetrics.Queue counters = metrics.queue(queueName);
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
      String subject = subjects.queue(queueName);
      for (int i = 0; i < numWorkers; i++) {
        workers.add(transport.subscribe(subject, queueName,
            raw -> pipeline.dispatch(raw, counted)));
      }
      return workers;
    } catch (RuntimeException e) {
      workers.forEach(TransportSubscription::unsubscribe);
      throw e;
    }
  }

  /** The durable queue's stream and workers' consumer as the store sees them; empty otherwise. */
  Optional<QueueState> state(String queueName) {
    DurableStreams s = streams;
    if (s == null || !isDurable(queueName)) {
      return Optional.empty();
    }
    return s.queueState(durableQueue(queueName).streamName(), DurableWorkQueue.CONSUMER_NAME);
  }

  private DurableWorkQueue durableQueue(String queueName) {
    DurableStreams s = streams;
    if (s == null) {
      throw new ConfigurationException("Queue '" + queueName + "' is durable but " + transport
          + " has no durable streams");
    }
    Subjects.requireToken("queue name", queueName);
    return durable.computeIfAbsent(queueName, q -> new DurableWorkQueue(s, subjects, q,
        optionsFor(q), publisher, pipeline, deadLetters, metrics));
  }
}
