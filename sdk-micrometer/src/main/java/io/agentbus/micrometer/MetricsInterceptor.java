package io.agentbus.micrometer;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.TransportMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The interceptor behind {@link AgentBusMetrics}. Meters are looked up once per message type and
 * outcome (a fixed set, so the maps below are filled at construction and only read after).
 * Thread-safe.
 */
final class MetricsInterceptor implements MessageInterceptor {
  /** The tag value of every message type that is not one of the seed's eleven. */
  static final String OTHER = "other";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Counter> published = new HashMap<>();
  private final Map<String, Counter> received = new HashMap<>();
  private final Map<String, Timer> handlerSuccess = new HashMap<>();
  private final Map<String, Timer> requestSuccess = new HashMap<>();
  private final Counter timeouts;
  private final Counter noResponders;

  MetricsInterceptor(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    for (MessageType t : MessageType.values()) {
      register(t.wireName());
    }
    register(OTHER);
    this.timeouts = Counter.builder("agentbus.request.timeouts")
        .description("Requests that got no reply in time").tags(tags).register(registry);
    this.noResponders = Counter.builder("agentbus.request.no.responders")
        .description("Requests nobody was subscribed to receive").tags(tags).register(registry);
  }

  private void register(String type) {
    published.put(type, Counter.builder("agentbus.messages.published")
        .description("Messages published by this bus, by type").tags(tags)
        .tag("message.type", type).register(registry));
    received.put(type, Counter.builder("agentbus.messages.received")
        .description("Decoded messages handed to a handler, by type").tags(tags)
        .tag("message.type", type).register(registry));
    handlerSuccess.put(type, handlerTimer(type, "success", "none"));
    requestSuccess.put(type, requestTimer(type, "success"));
  }

  static String typeTag(MessageType type) {
    return type.isKnown() ? type.wireName() : OTHER;
  }

  @Override
  public Headers beforePublish(String subject, AgentMessage message, Headers headers,
      byte[] payload) {
    published.get(typeTag(message.messageType())).increment();
    return headers;
  }

  @Override
  public void aroundDelivery(Delivery delivery, Chain next) throws Exception {
    String type = typeTag(delivery.message().messageType());
    received.get(type).increment();
    long start = registry.config().clock().monotonicTime();
    try {
      next.proceed(delivery);
    } catch (Exception | Error e) {
      handlerTimer(type, "failure", e.getClass().getSimpleName())
          .record(registry.config().clock().monotonicTime() - start,
              TimeUnit.NANOSECONDS);
      throw e;
    }
    handlerSuccess.get(type).record(registry.config().clock().monotonicTime() - start,
        TimeUnit.NANOSECONDS);
  }

  @Override
  public CompletableFuture<AgentMessage> aroundRequest(String subject, AgentMessage request,
      RequestChain next) {
    String type = typeTag(request.messageType());
    long start = registry.config().clock().monotonicTime();
    CompletableFuture<AgentMessage> reply = next.proceed();
    reply.whenComplete((r, e) -> {
      long took = registry.config().clock().monotonicTime() - start;
      if (e == null) {
        requestSuccess.get(type).record(took, TimeUnit.NANOSECONDS);
        return;
      }
      Throwable cause = unwrap(e);
      String outcome;
      if (cause instanceof RequestTimeoutException) {
        outcome = "timeout";
        timeouts.increment();
      } else if (cause instanceof NoRespondersException) {
        outcome = "no_responders";
        noResponders.increment();
      } else if (cause instanceof RemoteHandlerException) {
        outcome = "remote_error";
      } else {
        outcome = "error";
      }
      requestTimer(type, outcome).record(took, TimeUnit.NANOSECONDS);
    });
    return reply;
  }

  @Override
  public void onDeadLetter(TransportMessage message, String error) {
    String reason = error.startsWith("handler failed") ? "handler"
        : error.startsWith("decode failed") ? "decode" : "queue";
    Counter.builder("agentbus.messages.dead.lettered")
        .description("Messages this bus dead-lettered, by why").tags(tags).tag("reason", reason)
        .register(registry).increment();
  }

  private Timer handlerTimer(String type, String outcome, String exception) {
    return Timer.builder("agentbus.handler.duration")
        .description("How long handlers ran, by message type and outcome").tags(tags)
        .tag("message.type", type).tag("outcome", outcome).tag("exception", exception)
        .publishPercentileHistogram().register(registry);
  }

  private Timer requestTimer(String type, String outcome) {
    return Timer.builder("agentbus.request.duration")
        .description("From sending a request until its reply or failure").tags(tags)
        .tag("message.type", type).tag("outcome", outcome)
        .publishPercentileHistogram().register(registry);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
