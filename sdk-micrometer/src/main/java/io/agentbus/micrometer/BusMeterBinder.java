package io.agentbus.micrometer;

import io.agentbus.BusStats;
import io.agentbus.MessageBus;
import io.agentbus.QueueStats;
import io.agentbus.RetryStats;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.TransportStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds what a {@link MessageBus} counts by itself to a registry: its {@link BusStats} (decode and
 * dead-letter failures, totals), its transport's {@link TransportStats} (messages dropped,
 * slow-consumer events, reconnects), its connection state, and the {@link QueueStats} of the
 * queues named. Works on any bus; {@link AgentBusMetrics} adds counts by message type and the
 * request and handler timers, and binds this too.
 *
 * <p>Meters (all counters are function counters reading the bus, so binding costs the bus
 * nothing per message):
 *
 * <ul>
 *   <li>{@code agentbus.bus.messages} with {@code event} = {@code published}, {@code received},
 *       {@code handled}, {@code handler_failed}, {@code decode_failed}, {@code dead_lettered},
 *       {@code dead_letter_failed};
 *   <li>{@code agentbus.request.retries} with {@code event} = {@code retried} (attempts after the
 *       first, sent), {@code succeeded} (requests answered by such an attempt), {@code
 *       fell_back} (requests the caller's fallback answered), and {@code
 *       agentbus.request.gave.up} with {@code cause} = {@code no_responders}, {@code timeout},
 *       {@code other}: the bus's {@link RetryStats} of retried requests;
 *   <li>{@code agentbus.transport.messages.dropped}, {@code agentbus.transport.slow.consumers},
 *       {@code agentbus.transport.reconnects}, and the gauge {@code agentbus.transport.connected}
 *       (1 while connected, 0 otherwise);
 *   <li>{@code agentbus.queue.messages} with {@code queue} and {@code event} = {@code published},
 *       {@code delivered}, {@code redelivered}, {@code handled}, {@code handler_failed}, {@code
 *       retried}, {@code dead_lettered}, {@code ack_failed};
 *   <li>for a durable queue, gauges read from the store when the registry is read (so they count
 *       every process sharing the queue; on NATS each reading is a JetStream API request), with
 *       tag {@code queue}: {@code agentbus.queue.depth} (items stored), {@code
 *       agentbus.queue.waiting} (stored, not yet delivered), {@code agentbus.queue.pending.acks}
 *       (delivered, not yet acknowledged) and {@code agentbus.queue.pending.redelivered} (of
 *       those, delivered more than once). They read {@code NaN} while the store cannot say (an
 *       at-most-once queue, a stream not declared yet, a store out of reach, a closed bus), and
 *       0 for the consumer's counts before any worker has started.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class BusMeterBinder implements MeterBinder {
  private static final Logger log = LoggerFactory.getLogger(BusMeterBinder.class);
  private final MessageBus bus;
  private final List<String> queues;
  private final Tags tags;

  /**
   * @param queues the queues whose counters to bind (names as given to the bus)
   * @param tags extra tags on every meter, e.g. the application
   */
  public BusMeterBinder(MessageBus bus, List<String> queues, Iterable<Tag> tags) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.queues = List.copyOf(queues);
    this.tags = Tags.of(tags);
  }

  /** A binder for {@code bus} and no queues, without extra tags. */
  public BusMeterBinder(MessageBus bus) {
    this(bus, List.of(), Tags.empty());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    busCounter(registry, "published", BusStats::published);
    busCounter(registry, "received", BusStats::received);
    busCounter(registry, "handled", BusStats::handled);
    busCounter(registry, "handler_failed", BusStats::handlerFailures);
    busCounter(registry, "decode_failed", BusStats::decodeFailures);
    busCounter(registry, "dead_lettered", BusStats::deadLettered);
    busCounter(registry, "dead_letter_failed", BusStats::deadLetterFailures);

    Map<String, ToLongFunction<RetryStats>> retries = new LinkedHashMap<>();
    retries.put("event=retried", RetryStats::retried);
    retries.put("event=succeeded", RetryStats::succeeded);
    retries.put("event=fell_back", RetryStats::fallbacks);
    retries.put("cause=no_responders", RetryStats::gaveUpNoResponders);
    retries.put("cause=timeout", RetryStats::gaveUpTimeout);
    retries.put("cause=other", RetryStats::gaveUpOther);
    retries.forEach((tag, f) -> retryCounter(registry, tag, f));

    transportCounter(registry, "agentbus.transport.messages.dropped",
        "Messages the transport discarded: slow consumers, closed subscriptions, reconnect buffer",
        TransportStats::dropped);
    transportCounter(registry, "agentbus.transport.slow.consumers",
        "Times a subscription overflowed its pending limit", TransportStats::slowConsumerEvents);
    transportCounter(registry, "agentbus.transport.reconnects", "Successful reconnects",
        TransportStats::reconnects);
    AtomicInteger connected = new AtomicInteger(bus.isClosed() ? 0 : 1);
    AtomicInteger refused = new AtomicInteger();
    bus.addConnectionListener(e -> {
      if (e.kind() == ConnectionEvent.Kind.CONNECTED || e.kind() == ConnectionEvent.Kind.RECONNECTED) {
        connected.set(1);
        refused.set(0);
      } else if (e.kind() == ConnectionEvent.Kind.DISCONNECTED
          || e.kind() == ConnectionEvent.Kind.CLOSED) {
        connected.set(0);
      } else if (e.kind() == ConnectionEvent.Kind.AUTHENTICATION_FAILED) {
        refused.set(1);
      }
    });
    Gauge.builder("agentbus.transport.credentials.refused", refused, AtomicInteger::get)
        .description("1 while the server refuses the transport's credentials at a reconnect "
            + "(its agents do not serve), 0 otherwise")
        .tags(tags).register(registry);
    Gauge.builder("agentbus.transport.connected", connected,
            c -> bus.isClosed() ? 0 : c.get())
        .description("1 while the bus's transport is connected, 0 otherwise")
        .tags(tags).register(registry);

    for (String q : queues) {
      queueCounter(registry, q, "published", QueueStats::published);
      queueCounter(registry, q, "delivered", QueueStats::delivered);
      queueCounter(registry, q, "redelivered", QueueStats::redelivered);
      queueCounter(registry, q, "handled", QueueStats::handled);
      queueCounter(registry, q, "handler_failed", QueueStats::handlerFailures);
      queueCounter(registry, q, "retried", QueueStats::retried);
      queueCounter(registry, q, "dead_lettered", QueueStats::deadLettered);
      queueCounter(registry, q, "ack_failed", QueueStats::ackFailures);
      queueGauge(registry, q, "agentbus.queue.depth", "Items the queue's stream holds",
          QueueState::stored);
      queueGauge(registry, q, "agentbus.queue.waiting",
          "Items stored that no worker has been given yet", QueueState::waiting);
      queueGauge(registry, q, "agentbus.queue.pending.acks",
          "Items given to a worker and not acknowledged yet", QueueState::pendingAcks);
      queueGauge(registry, q, "agentbus.queue.pending.redelivered",
          "Items not acknowledged yet that were delivered more than once",
          QueueState::redelivered);
    }
  }

  private void busCounter(MeterRegistry registry, String event, ToLongFunction<BusStats> f) {
    FunctionCounter.builder("agentbus.bus.messages", bus, b -> f.applyAsLong(b.stats()))
        .description("Messages by what happened to them in this bus (all types)")
        .tags(tags).tag("event", event).register(registry);
  }

  /** {@code agentbus.request.retries} by event, or {@code agentbus.request.gave.up} by cause. */
  private void retryCounter(MeterRegistry registry, String tag, ToLongFunction<RetryStats> f) {
    String[] kv = tag.split("=", 2);
    boolean event = kv[0].equals("event");
    FunctionCounter.builder(event ? "agentbus.request.retries" : "agentbus.request.gave.up", bus,
            b -> f.applyAsLong(b.stats().retries()))
        .description(event
            ? "What retried requests did: attempts after the first, their successes, fallbacks"
            : "Retried requests that ended without a reply, by the last attempt's failure")
        .tags(tags).tag(kv[0], kv[1]).register(registry);
  }

  private void transportCounter(MeterRegistry registry, String name, String description,
      ToLongFunction<TransportStats> f) {
    FunctionCounter.builder(name, bus, b -> f.applyAsLong(b.transportStats()))
        .description(description).tags(tags).register(registry);
  }

  private void queueGauge(MeterRegistry registry, String queue, String name, String description,
      ToLongFunction<QueueState> f) {
    Gauge.builder(name, bus, b -> read(b, queue, f))
        .description(description).baseUnit("items")
        .tags(tags).tag("queue", queue).register(registry);
  }

  private static double read(MessageBus bus, String queue, ToLongFunction<QueueState> f) {
    if (bus.isClosed()) {
      return Double.NaN;
    }
    try {
      return bus.queueState(queue).map(s -> (double) f.applyAsLong(s)).orElse(Double.NaN);
    } catch (RuntimeException e) {
      log.debug("Could not read the state of queue '{}' from the store: {}", queue, e.toString());
      return Double.NaN;
    }
  }

  private void queueCounter(MeterRegistry registry, String queue, String event,
      ToLongFunction<QueueStats> f) {
    FunctionCounter.builder("agentbus.queue.messages", bus,
            b -> f.applyAsLong(b.queueStats(queue)))
        .description("Work-queue items by what happened to them in this bus")
        .tags(tags).tag("queue", queue).tag("event", event).register(registry);
  }
}
