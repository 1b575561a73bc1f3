package io.agentbus.micrometer;

import io.agentbus.MessageBus;
import io.agentbus.spi.BusExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Micrometer metrics for a {@link MessageBus}: counts of messages by type and what happened to
 * them, request latency and handler duration as timers with percentile histograms, request
 * timeouts and no-responders, and (through {@link BusMeterBinder}) the bus's and transport's own
 * counters, its connection state and its queues.
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .transport(transport).codec(JsonCodec.create())
 *     .addExtension(AgentBusMetrics.builder(registry).queues("test_execution").build())
 *     .build();
 * }</pre>
 *
 * <p>Meters added per message (tag {@code message.type} is the seed's type name for the eleven
 * known types and {@code other} for any other, so a peer inventing types cannot grow the number of
 * series):
 *
 * <ul>
 *   <li>{@code agentbus.messages.published} (counter): messages this bus published, replies and
 *       requests included; dead letters are not (see {@code agentbus.messages.dead.lettered});
 *   <li>{@code agentbus.messages.received} (counter): decoded messages handed to a handler;
 *   <li>{@code agentbus.handler.duration} (timer, tag {@code outcome} = {@code success} or {@code
 *       failure}, plus {@code exception}): how long handlers ran; its count is the messages
 *       handled and failed;
 *   <li>{@code agentbus.request.duration} (timer, tag {@code outcome} = {@code success}, {@code
 *       timeout}, {@code no_responders}, {@code remote_error} or {@code error}): from sending a
 *       request until its reply or failure;
 *   <li>{@code agentbus.request.timeouts} and {@code agentbus.request.no.responders} (counters);
 *   <li>{@code agentbus.messages.dead.lettered} (counter, tag {@code reason} = {@code handler},
 *       {@code decode} or {@code queue}).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentBusMetrics implements BusExtension {
  private final MeterRegistry registry;
  private final List<String> queues;
  private final Tags tags;
  private final MetricsInterceptor interceptor;

  private AgentBusMetrics(Builder b) {
    this.registry = b.registry;
    this.queues = List.copyOf(b.queues);
    this.tags = b.tags;
    this.interceptor = new MetricsInterceptor(registry, tags);
  }

  /** Metrics in {@code registry}, with no queues and no extra tags. */
  public static AgentBusMetrics create(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** Metrics in Micrometer's global registry, {@link Metrics#globalRegistry}. */
  public static AgentBusMetrics global() {
    return create(Metrics.globalRegistry);
  }

  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  @Override
  public void configure(MessageBus.Builder builder) {
    builder.addInterceptor(interceptor);
  }

  /** Binds the bus's own counters, connection state and queues ({@link BusMeterBinder}). */
  @Override
  public void bind(MessageBus bus) {
    new BusMeterBinder(bus, queues, tags).bindTo(registry);
  }

  @Override
  public String toString() {
    return "AgentBusMetrics{registry=" + registry.getClass().getSimpleName() + ", queues="
        + queues + ", tags=" + tags + "}";
  }

  /** Builds {@link AgentBusMetrics}. Not thread-safe. */
  public static final class Builder {
    private final MeterRegistry registry;
    private final List<String> queues = new ArrayList<>();
    private Tags tags = Tags.empty();

    private Builder(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Queues whose counters ({@code agentbus.queue.messages}) and, for durable ones, store gauges
     * ({@code agentbus.queue.depth}, {@code .waiting}, {@code .pending.acks}, {@code
     * .pending.redelivered}) to bind.
     */
    public Builder queues(String... names) {
      for (String n : names) {
        queues.add(Objects.requireNonNull(n, "queue name"));
      }
      return this;
    }

    /** Tags added to every meter, e.g. {@code application}. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = this.tags.and(tags);
      return this;
    }

    public AgentBusMetrics build() {
      return new AgentBusMetrics(this);
    }
  }
}
