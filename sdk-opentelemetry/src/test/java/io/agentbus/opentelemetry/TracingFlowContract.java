package io.agentbus.opentelemetry;

import static io.agentbus.opentelemetry.Spans.assertChild;
import static io.agentbus.opentelemetry.Spans.from;
import static io.agentbus.opentelemetry.Spans.one;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.spi.Transport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The Phase 1.1 flow makes one trace with the expected parent/child links; run on each transport
 * by a subclass.
 */
abstract class TracingFlowContract {
  static final String REQUEST_SUBJECT = "orchestrator.agent.architect-001.resource_request";
  static final String COMPLETE_SUBJECT = "orchestrator.broadcast.task_complete";

  /** A new transport on the one server (in-memory server or NATS server) the test shares. */
  abstract Supplier<Transport> transports();

  abstract String messagingSystem();

  @Test
  void thePhase11FlowIsOneTraceWithTheExpectedParents() throws Exception {
    Spans spans = new Spans();
    AgentBusTracing tracing = AgentBusTracing.builder(spans.sdk)
        .messagingSystem(messagingSystem()).build();
    Span rootSpan;
    try (Phase11Flow flow = new Phase11Flow(transports(), tracing)) {
      rootSpan = flow.run(spans.tracer());
    }
    // root, request (client), its handling (server), the reply, the parser's broadcast, its
    // handling by the decomposer, the decomposer's broadcast, and its delivery to the decomposer
    List<SpanData> all = spans.await(8);

    SpanData root = one(all, "phase-1.1", SpanKind.INTERNAL);
    assertThat(root.getSpanId()).isEqualTo(rootSpan.getSpanContext().getSpanId());
    assertThat(all).extracting(SpanData::getTraceId).containsOnly(root.getTraceId());

    SpanData request = one(all, "request " + REQUEST_SUBJECT, SpanKind.CLIENT);
    SpanData served = one(all, "process " + REQUEST_SUBJECT, SpanKind.SERVER);
    SpanData reply = one(all, "publish (temporary)", SpanKind.PRODUCER);
    SpanData parserDone = one(all, "publish " + COMPLETE_SUBJECT, SpanKind.PRODUCER,
        from(Phase11Flow.PARSER));
    SpanData heard = one(all, "process " + COMPLETE_SUBJECT, SpanKind.CONSUMER,
        from(Phase11Flow.PARSER));
    SpanData decomposerDone = one(all, "publish " + COMPLETE_SUBJECT, SpanKind.PRODUCER,
        from(Phase11Flow.DECOMPOSER));
    SpanData echo = one(all, "process " + COMPLETE_SUBJECT, SpanKind.CONSUMER,
        from(Phase11Flow.DECOMPOSER));

    assertChild(request, root);
    assertChild(served, request);   // the request's context crossed the wire
    assertChild(reply, served);     // the reply continues the requester's trace
    assertChild(parserDone, root);
    assertChild(heard, parserDone);
    assertChild(decomposerDone, heard); // a handler's publish is a child of its delivery
    assertChild(echo, decomposerDone);

    assertThat(served.getAttributes().asMap()).containsEntry(
        AttributeKey.stringKey("messaging.system"), messagingSystem()).containsEntry(
        AttributeKey.stringKey("messaging.destination.name"), REQUEST_SUBJECT).containsEntry(
        AttributeKey.stringKey("messaging.operation.type"), "process").containsEntry(
        AttributeKey.stringKey("agentbus.from_agent"), Phase11Flow.PARSER).containsEntry(
        AttributeKey.stringKey("agentbus.to_agent"), Phase11Flow.ARCHITECT).containsEntry(
        AttributeKey.stringKey("agentbus.message_type"), "resource_request");
    assertThat(served.getAttributes().get(AttributeKey.stringKey("agentbus.correlation_id")))
        .isNotBlank()
        .isEqualTo(request.getAttributes().get(AttributeKey.stringKey("agentbus.correlation_id")))
        .isEqualTo(reply.getAttributes().get(AttributeKey.stringKey("agentbus.correlation_id")));
    assertThat(served.getAttributes().get(AttributeKey.longKey("messaging.message.body.size")))
        .isPositive();
    assertThat(parserDone.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
        .isEqualTo("send");
    assertThat(reply.getAttributes().get(AttributeKey.booleanKey(
        "messaging.destination.temporary"))).isTrue();
  }
}
