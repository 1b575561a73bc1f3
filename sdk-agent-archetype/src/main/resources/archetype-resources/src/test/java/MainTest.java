package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.guice.AgentApplication;
import io.agentbus.agent.config.ConfigKey;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Main's wiring: configuration to Guice to a running agent, on the in-memory transport. */
class MainTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void theInjectorRunsTheAgentOnTheConfiguredBusAndTheHostStopsIt() throws Exception {
    // the defaults (in memory, JSON, namespace orchestrator), as Main gets them without any file
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of("agentbus.shutdown-hook", "false"));
    Injector injector = AgentApplication.injector(config);

    Agent agent;
    try (AgentHost host = AgentApplication.start(injector, ${agentClassName}.class)) {
      agent = host.agents().get(0);
      assertThat(agent.id()).isEqualTo(${agentClassName}.ID);
      assertThat(agent.state()).isEqualTo(Agent.State.RUNNING);

      AgentMessage reply = host.bus().endpoint("main-test").request(${agentClassName}.ID,
          MessageType.RESOURCE_REQUEST, Map.of("resource", ${agentClassName}.RESOURCE), WAIT);
      assertThat(reply.content()).containsEntry("status", "ready");
      assertThat(host.bus().subjects().namespace()).isEqualTo("orchestrator");
    }
    assertThat(agent.state()).isEqualTo(Agent.State.TERMINATED);
  }

  @Test
  void theBundledPropertiesChooseTheInMemoryTransport() {
    AgentBusConfig config = AgentBusConfig.loader()
        .systemProperties(Map.of())
        .environment(Map.of())
        .load();

    assertThat(config.sourceOf(ConfigKey.TRANSPORT)).contains("agentbus.properties");
    assertThat(config.transport()).isEqualTo("inmemory");
    assertThat(config.codec()).isEqualTo("json");
  }

  @Test
  void anAgentbusPropertiesFileAloneMakesAQueueDurable() throws Exception {
    AgentBusConfig config = AgentBusConfig.loader()
        .classpathResource("durable/agentbus.properties")
        .systemProperties(Map.of())
        .environment(Map.of())
        .load();
    try (AgentHost host =
        AgentApplication.start(AgentApplication.injector(config), ${agentClassName}.class)) {
      MessageBus bus = host.bus();
      QueueOptions tasks = bus.queueOptions("tasks");
      assertThat(tasks.isDurable()).isTrue();
      assertThat(tasks.maxDeliveries()).isEqualTo(3);
      assertThat(tasks.backoff()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(10));
      assertThat(bus.queueOptions("other").isDurable()).isFalse();

      // the item is stored before the publish returns, then handed to the worker
      CompletableFuture<AgentMessage> handled = new CompletableFuture<>();
      bus.createWorkQueue("tasks", d -> handled.complete(d.message()), 1);
      bus.endpoint("main-test").publishToQueue("tasks", MessageType.TASK_ASSIGNMENT,
          Map.of("task", "invoice-2025-12"));
      assertThat(handled.get(WAIT.toSeconds(), TimeUnit.SECONDS).content())
          .containsEntry("task", "invoice-2025-12");
    }
  }

  @Test
  void configurationAloneTurnsOnTracingAndMetrics() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of("agentbus.shutdown-hook",
        "false", "agentbus.tracing", "otel", "agentbus.metrics", "micrometer"));
    try (AgentHost host =
        AgentApplication.start(AgentApplication.injector(config), ${agentClassName}.class)) {
      MessageBus bus = host.bus();
      CompletableFuture<Headers> headers = new CompletableFuture<>();
      bus.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> headers.complete(d.headers()));
      // a trace started elsewhere (here made up): what is sent inside it carries its context
      SpanContext parent = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736",
          "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.getDefault());
      try (Scope ignored = Span.wrap(parent).makeCurrent()) {
        bus.endpoint("main-test").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "x"));
      }
      assertThat(headers.get(WAIT.toSeconds(), TimeUnit.SECONDS).first("traceparent"))
          .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-");

      bus.endpoint("main-test").request(${agentClassName}.ID, MessageType.RESOURCE_REQUEST,
          Map.of("resource", ${agentClassName}.RESOURCE), WAIT);
      assertThat(registry.get("agentbus.request.duration").tags("message.type",
          "resource_request", "outcome", "success").timer().count()).isEqualTo(1);
    } finally {
      Metrics.removeRegistry(registry);
      Metrics.globalRegistry.clear();
    }
  }
}
