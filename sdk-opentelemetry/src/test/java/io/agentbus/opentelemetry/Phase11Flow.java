package io.agentbus.opentelemetry;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.Subscription;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.Transport;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The seed's Phase 1.1 flow, each agent on a bus of its own (as in separate processes): {@code
 * parser-dev-001} asks {@code architect-001} for the task model, then broadcasts its {@code
 * task_complete}; {@code decomposer-001}, hearing it, broadcasts its own. The parser's work runs
 * in a span of the test's, {@code phase-1.1}, the root of the trace.
 */
final class Phase11Flow implements AutoCloseable {
  static final String PARSER = "parser-dev-001";
  static final String ARCHITECT = "architect-001";
  static final String DECOMPOSER = "decomposer-001";

  private final List<MessageBus> buses = new ArrayList<>();
  private final MessageBus parser;
  final CompletableFuture<AgentMessage> decomposerDone = new CompletableFuture<>();
  /** The decomposer's own broadcast, delivered back to it: the last span of the flow. */
  private final CompletableFuture<AgentMessage> echoed = new CompletableFuture<>();

  Phase11Flow(Supplier<Transport> transports, AgentBusTracing tracing) {
    MessageBus architect = bus(transports, tracing);
    MessageBus decomposer = bus(transports, tracing);
    this.parser = bus(transports, tracing);
    Subscription a = architect.subscribeToAgentMessages(ARCHITECT, d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("resource", "task_model",
            "status", "ready")));
    Subscription b = decomposer.subscribeToBroadcasts(MessageType.TASK_COMPLETE, d -> {
      if (d.message().fromAgent().equals(PARSER)) {
        decomposer.endpoint(DECOMPOSER).broadcast(MessageType.TASK_COMPLETE,
            Map.of("task", "decompose"));
        decomposerDone.complete(d.message());
      } else if (d.message().fromAgent().equals(DECOMPOSER)) {
        echoed.complete(d.message());
      }
    });
    architect.flush(Duration.ofSeconds(5));
    decomposer.flush(Duration.ofSeconds(5));
    if (!a.isActive() || !b.isActive()) {
      throw new IllegalStateException("subscriptions not active");
    }
  }

  private MessageBus bus(Supplier<Transport> transports, AgentBusTracing tracing) {
    MessageBus bus = MessageBus.builder().transport(transports.get()).codec(JsonCodec.create())
        .addExtension(tracing).build();
    buses.add(bus);
    return bus;
  }

  /**
   * Plays the flow inside the root span and waits until the decomposer heard its own broadcast
   * (so that closing the buses cannot cut a delivery short); returns the root.
   */
  Span run(Tracer tracer) throws Exception {
    Span root = tracer.spanBuilder("phase-1.1").startSpan();
    try (Scope ignored = root.makeCurrent()) {
      AgentMessage answer = parser.endpoint(PARSER).request(ARCHITECT,
          MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), Duration.ofSeconds(10));
      if (!"ready".equals(answer.content().get("status"))) {
        throw new AssertionError("unexpected answer " + answer);
      }
      parser.endpoint(PARSER).broadcast(MessageType.TASK_COMPLETE, Map.of("task", "parse"));
    } finally {
      root.end();
    }
    decomposerDone.get(10, TimeUnit.SECONDS);
    echoed.get(10, TimeUnit.SECONDS);
    return root;
  }

  @Override
  public void close() {
    buses.forEach(MessageBus::close);
  }
}
