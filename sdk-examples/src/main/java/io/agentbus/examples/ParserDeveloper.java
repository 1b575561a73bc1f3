package io.agentbus.examples;

import static io.agentbus.examples.Architect.ordered;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code parser-dev-001}: needs the Task model to write the TaskParser, asks the architect for it,
 * and announces when the parser is done.
 */
final class ParserDeveloper extends DemoAgent {
  static final String ID = "parser-dev-001";

  /** The seed's completion announcement. */
  static final Map<String, Object> DONE = ordered(
      "task", "TaskParser implementation",
      "output", "src/core/task_parser.py",
      "tests", "tests/test_task_parser.py",
      "coverage", "92%");

  /** The architect's answer, once it came. */
  final CompletableFuture<AgentMessage> answer = new CompletableFuture<>();

  ParserDeveloper(AgentContext context, FlowLog flow) {
    super(ID, context, flow);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.workLoop(this::writeTheParser); // runs once the agent is RUNNING
  }

  /**
   * Runs in a span of its own, so that with {@code AGENTBUS_TRACING=otel} the whole flow (the
   * request, the answer, the completion and the decomposer's reaction) is one trace; without
   * tracing the span is a no-op.
   */
  private void writeTheParser() {
    Span span = GlobalOpenTelemetry.getTracer("io.agentbus.examples")
        .spanBuilder("write the TaskParser").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      Map<String, Object> ask = ordered(
          "resource", "task_model",
          "reason", "Need to implement TaskParser");
      step("-> " + Architect.ID + "  resource_request " + FlowLog.json(ask));
      AgentMessage reply = request(Architect.ID, MessageType.RESOURCE_REQUEST, ask,
          Duration.ofSeconds(10));
      step("got " + reply.content().get("resource") + " (" + reply.content()
          .get("status") + ", " + reply.content().get("location") + "); writing the TaskParser");
      answer.complete(reply);

      step("=> broadcast      task_complete " + FlowLog.json(DONE));
      broadcast(MessageType.TASK_COMPLETE, DONE);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      span.recordException(e);
      throw e;
    } finally {
      span.end();
    }
  }
}
