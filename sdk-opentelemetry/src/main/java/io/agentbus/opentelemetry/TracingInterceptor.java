package io.agentbus.opentelemetry;

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.RetryObserver;
import io.agentbus.spi.TransportMessage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The interceptor behind {@link AgentBusTracing}: spans per OpenTelemetry's messaging semantic
 * conventions, and the trace context injected into and extracted from headers. Thread-safe.
 */
final class TracingInterceptor implements MessageInterceptor {
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<Boolean> TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
  static final AttributeKey<String> FROM_AGENT = AttributeKey.stringKey("agentbus.from_agent");
  static final AttributeKey<String> TO_AGENT = AttributeKey.stringKey("agentbus.to_agent");
  static final AttributeKey<String> MESSAGE_TYPE = AttributeKey.stringKey("agentbus.message_type");
  static final AttributeKey<String> CORRELATION_ID =
      AttributeKey.stringKey("agentbus.correlation_id");
  static final AttributeKey<Boolean> DEAD_LETTERED =
      AttributeKey.booleanKey("agentbus.dead_lettered");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /** The MDC keys of the delivery span while a handler runs. */
  static final String MDC_TRACE_ID = "trace_id";
  static final String MDC_SPAN_ID = "span_id";

  /** Reply inboxes: NATS's and the in-memory transport's {@code _INBOX.<id>.<n>}. */
  private static final String INBOX_PREFIX = "_INBOX.";

  /** Marks the client span of a request while its own publish makes its headers. */
  private static final ContextKey<Span> REQUEST_SPAN = ContextKey.named("agentbus-request-span");

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final String system;

  TracingInterceptor(Tracer tracer, TextMapPropagator propagator, String system) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.system = system;
  }

  @Override
  public Headers beforePublish(String subject, AgentMessage message, Headers headers,
      byte[] payload) {
    Context current = Context.current();
    Span requestSpan = current.get(REQUEST_SPAN);
    if (requestSpan != null && requestSpan == Span.fromContext(current)) {
      return inject(current, headers); // the request's own publish: its client span is the parent
    }
    boolean temporary = subject.startsWith(INBOX_PREFIX);
    SpanBuilder b = tracer.spanBuilder("publish " + (temporary ? "(temporary)" : subject))
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(current)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "publish")
        .setAttribute(BODY_SIZE, (long) payload.length);
    destination(b, subject, temporary);
    describe(b, message, headers.first(Headers.MESSAGE_ID));
    Span span = b.startSpan();
    try {
      return inject(current.with(span), headers);
    } finally {
      span.end();
    }
  }

  @Override
  public void aroundDelivery(Delivery delivery, Chain next) throws Exception {
    if (delivery.isReply()) { // a reply on its way to its requester: aroundRequest covers it
      next.proceed(delivery);
      return;
    }
    // the parent is what the message carries, not whatever the delivering thread holds
    Context parent = propagator.extract(Context.root(), delivery.headers(), HeaderCarrier.GETTER);
    SpanBuilder b = tracer.spanBuilder("process " + delivery.subject())
        .setSpanKind(delivery.isRequest() ? SpanKind.SERVER : SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(OPERATION_NAME, "process")
        .setAttribute(BODY_SIZE, (long) delivery.payloadSize());
    destination(b, delivery.subject(), false);
    describe(b, delivery.message(), delivery.messageId());
    Span span = b.startSpan();
    SpanContext sc = span.getSpanContext();
    @Nullable String traceBefore = MDC.get(MDC_TRACE_ID);
    @Nullable String spanBefore = MDC.get(MDC_SPAN_ID);
    if (sc.isValid()) {
      MDC.put(MDC_TRACE_ID, sc.getTraceId());
      MDC.put(MDC_SPAN_ID, sc.getSpanId());
    }
    try (Scope ignored = parent.with(span).makeCurrent()) {
      next.proceed(delivery);
    } catch (Exception | Error e) {
      fail(span, e);
      throw e;
    } finally {
      restore(MDC_TRACE_ID, traceBefore);
      restore(MDC_SPAN_ID, spanBefore);
      span.end();
    }
  }

  @Override
  public CompletableFuture<AgentMessage> aroundRequest(String subject, AgentMessage request,
      RequestChain next) {
    Context current = Context.current();
    SpanBuilder b = tracer.spanBuilder("request " + subject)
        .setSpanKind(SpanKind.CLIENT)
        .setParent(current)
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(OPERATION_NAME, "request");
    destination(b, subject, false);
    describe(b, request, null);
    Long attempt = RetrySpan.attemptOf(current);
    if (attempt != null) {
      b.setAttribute(RetrySpan.ATTEMPT, attempt);
    }
    Span span = b.startSpan();
    CompletableFuture<AgentMessage> reply;
    try (Scope ignored = current.with(span).with(REQUEST_SPAN, span).makeCurrent()) {
      reply = next.proceed();
    } catch (RuntimeException | Error e) {
      fail(span, e);
      span.end();
      throw e;
    }
    reply.whenComplete((r, e) -> {
      if (e != null) {
        fail(span, unwrap(e));
      }
      span.end();
    });
    return reply;
  }

  @Override
  public RetryObserver observeRetries(String subject, AgentMessage request) {
    Context current = Context.current();
    SpanBuilder b = tracer.spanBuilder("retried request " + subject)
        .setSpanKind(SpanKind.INTERNAL)
        .setParent(current);
    destination(b, subject, false);
    describe(b, request, null);
    return new RetrySpan(b.startSpan(), current);
  }

  @Override
  public void onDeadLetter(TransportMessage message, String error) {
    Context parent = propagator.extract(Context.root(), message.headers(), HeaderCarrier.GETTER);
    SpanBuilder b = tracer.spanBuilder("dead-letter " + message.subject())
        .setSpanKind(SpanKind.INTERNAL)
        .setParent(parent)
        .setAttribute(DEAD_LETTERED, true)
        .setAttribute(BODY_SIZE, (long) message.payload().length);
    destination(b, message.subject(), false);
    @Nullable String id = message.headers().first(Headers.MESSAGE_ID);
    if (id != null) {
      b.setAttribute(MESSAGE_ID, id);
    }
    Span span = b.startSpan();
    span.setStatus(StatusCode.ERROR, error);
    span.end();
  }

  private Headers inject(Context context, Headers headers) {
    Headers.Builder out = headers.toBuilder();
    propagator.inject(context, out, HeaderCarrier.SETTER);
    return out.build();
  }

  private void destination(SpanBuilder b, String subject, boolean temporary) {
    b.setAttribute(SYSTEM, system).setAttribute(DESTINATION, subject);
    if (temporary) {
      b.setAttribute(TEMPORARY, true);
    }
  }

  private static void describe(SpanBuilder b, AgentMessage m, @Nullable String messageId) {
    b.setAttribute(FROM_AGENT, m.fromAgent())
        .setAttribute(MESSAGE_TYPE, m.messageType().wireName());
    if (m.toAgent() != null) {
      b.setAttribute(TO_AGENT, m.toAgent());
    }
    String correlationId = m.correlationId();
    if (correlationId != null) {
      b.setAttribute(CORRELATION_ID, correlationId).setAttribute(CONVERSATION_ID, correlationId);
    }
    if (messageId != null) {
      b.setAttribute(MESSAGE_ID, messageId);
    }
  }

  private static void fail(Span span, Throwable e) {
    span.recordException(e);
    span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
    span.setAttribute(ERROR_TYPE, e.getClass().getName());
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static void restore(String key, @Nullable String before) {
    if (before == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, before);
    }
  }

  @Override
  public String toString() {
    return "TracingInterceptor{messaging.system=" + system + ", propagator=" + propagator + "}";
  }
}
