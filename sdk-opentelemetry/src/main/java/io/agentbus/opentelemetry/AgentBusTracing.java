package io.agentbus.opentelemetry;

import io.agentbus.MessageBus;
import io.agentbus.spi.BusExtension;
import io.agentbus.spi.MessageInterceptor;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Traces every message of a {@link MessageBus} with OpenTelemetry: the W3C {@code traceparent},
 * {@code tracestate} and {@code baggage} travel in message headers, and each publish, delivery and
 * request makes a span following OpenTelemetry's messaging semantic conventions.
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .transport(transport).codec(JsonCodec.create())
 *     .addExtension(AgentBusTracing.create(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>Spans: a {@code PRODUCER} span {@code publish <subject>} per message published (replies to a
 * request inbox are named {@code publish (temporary)}); a {@code CLIENT} span {@code request
 * <subject>} around each request, lasting until the reply; for each handled delivery a {@code
 * CONSUMER} span {@code process <subject>}, or a {@code SERVER} span for a request, child of the
 * context the message carried, so a reply continues the requester's trace and whatever a handler
 * publishes is a child of its delivery. A handler that throws marks its span as failed; a message
 * the bus dead-letters gets a {@code dead-letter <subject>} span marked {@code
 * agentbus.dead_lettered}. While a handler runs, the SLF4J MDC holds {@code trace_id} and {@code
 * span_id}.
 *
 * <p>The trace context is read and written with the {@link OpenTelemetry} instance's propagators,
 * or with W3C trace context and baggage when it has none; so headers written by other NATS
 * clients (nats-py, nats.js, OpenTelemetry's own jnats instrumentation) start or continue a trace.
 *
 * <p>Immutable and thread-safe; one instance may serve several buses.
 */
public final class AgentBusTracing implements BusExtension {
  /** The instrumentation scope name of the spans. */
  public static final String INSTRUMENTATION_NAME = "io.agentbus";

  private final TracingInterceptor interceptor;

  private AgentBusTracing(Builder b) {
    TextMapPropagator propagator = b.propagator != null ? b.propagator
        : b.openTelemetry.getPropagators().getTextMapPropagator();
    if (propagator.fields().isEmpty()) { // a no-op propagator: nothing would travel
      propagator = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
          W3CBaggagePropagator.getInstance());
    }
    this.interceptor = new TracingInterceptor(
        b.openTelemetry.getTracer(INSTRUMENTATION_NAME), propagator, b.messagingSystem);
  }

  /** Tracing with {@code openTelemetry}'s tracer and propagators, on a NATS system. */
  public static AgentBusTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** Tracing with {@link GlobalOpenTelemetry}, as the OpenTelemetry Java agent or SDK set it. */
  public static AgentBusTracing global() {
    return create(GlobalOpenTelemetry.get());
  }

  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  /** Adds the tracing interceptor to {@code builder}. */
  @Override
  public void configure(MessageBus.Builder builder) {
    builder.addInterceptor(interceptor);
  }

  /** The interceptor that does the work, for a bus built without {@link #configure}. */
  public MessageInterceptor interceptor() {
    return interceptor;
  }

  @Override
  public String toString() {
    return "AgentBusTracing{" + interceptor + "}";
  }

  /** Builds {@link AgentBusTracing}. Not thread-safe. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private String messagingSystem = "nats";
    private @Nullable TextMapPropagator propagator;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * The {@code messaging.system} attribute of the spans: {@code nats} by default; the name of
     * the in-memory transport, {@code inmemory}, when that is the transport.
     */
    public Builder messagingSystem(String messagingSystem) {
      Objects.requireNonNull(messagingSystem, "messagingSystem");
      if (messagingSystem.isBlank()) {
        throw new IllegalArgumentException("messagingSystem must not be blank");
      }
      this.messagingSystem = messagingSystem;
      return this;
    }

    /**
     * The propagator that writes and reads the trace context in message headers; by default the
     * {@link OpenTelemetry} instance's, or W3C trace context and baggage when it has none.
     */
    public Builder propagator(TextMapPropagator propagator) {
      this.propagator = Objects.requireNonNull(propagator, "propagator");
      return this;
    }

    public AgentBusTracing build() {
      return new AgentBusTracing(this);
    }
  }
}
