package io.agentbus.transport.nats;

import io.agentbus.spi.TransportStats;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link NatsTransport#stats()}, shared by the transport's parts. The
 * transport keeps its own references to the adders its hot paths count on (published, delivered),
 * so counting a message reads no more objects than it did before the counters lived here.
 * Thread-safe.
 */
final class NatsCounters {
  final LongAdder published = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder handlerFailures = new LongAdder();
  final LongAdder slowConsumerEvents = new LongAdder();
  /** Dropped by this client: discarded on unsubscribe or close, refused or lost publishes. */
  final LongAdder dropped = new LongAdder();
  final AtomicLong reconnects = new AtomicLong();
  /**
   * Set by whoever counts the publishes jnats still held unsent when the connection closed, so
   * that they are counted once, whether the application or jnats closed it.
   */
  final AtomicBoolean unsentCounted = new AtomicBoolean();

  /**
   * The counts now.
   *
   * @param slowConsumerDrops what jnats dropped for slow consumers, replies included
   */
  TransportStats snapshot(long slowConsumerDrops) {
    return new TransportStats(published.sum(), delivered.sum(),
        slowConsumerDrops + dropped.sum(), handlerFailures.sum(), slowConsumerEvents.sum(),
        reconnects.get());
  }
}
