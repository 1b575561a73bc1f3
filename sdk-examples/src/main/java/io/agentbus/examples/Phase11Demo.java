package io.agentbus.examples;

import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.config.ConfigKey;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's "Phase 1.1 Communication Flow", played by real agents on one bus:
 *
 * <ol>
 *   <li>{@code parser-dev-001} asks {@code architect-001} for the {@code task_model} (request /
 *       reply) and gets the seed's answer;
 *   <li>{@code parser-dev-001} broadcasts its {@code task_complete};
 *   <li>{@code decomposer-001}, waiting on it, starts, and broadcasts its own completion;
 *   <li>{@code test-coordinator} spreads the tests over the {@code test_execution} work queue,
 *       served by three workers;
 *   <li>the {@code orchestrator}'s monitor reports who is alive, and notices {@code test-worker-3}
 *       when it hangs and its heartbeats stop;
 *   <li>everyone shuts down, announcing they go offline.
 * </ol>
 *
 * Configuration comes from {@link AgentBusConfig#load()}: in memory by default; {@code
 * AGENTBUS_TRANSPORT=nats NATS_URL=nats://127.0.0.1:4222} runs the same agents on NATS. The demo
 * defaults to 1 s heartbeats and a 3 s dead-after, so the hang is noticed while you watch. It is
 * wired without Guice: the configuration builds the bus, the agents' context, the host and the
 * monitor ({@code sdk-guice}'s {@code AgentBusModule} binds the same objects).
 */
public final class Phase11Demo {
  /** The demo's own defaults, below every other configuration source. */
  static final Map<String, String> DEMO_DEFAULTS = Map.of(
      ConfigKey.HEARTBEAT_INTERVAL.key(), "1s",
      ConfigKey.DEAD_AFTER.key(), "3s",
      ConfigKey.DRAIN_TIMEOUT.key(), "2s");

  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);

  private final AgentBusConfig config;
  private final PrintStream out;
  private final Duration testDuration;

  Phase11Demo(AgentBusConfig config, PrintStream out, Duration testDuration) {
    this.config = config;
    this.out = out;
    this.testDuration = testDuration;
  }

  public static void main(String[] args) throws Exception {
    try {
      new Phase11Demo(AgentBusConfig.loader().defaults(DEMO_DEFAULTS).load(), System.out,
          Duration.ofMillis(150)).run();
    } catch (AgentBusException e) {
      // a bad setting, a missing transport module, an unreachable server: one line says which
      System.err.println("The demo could not run: " + e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Plays the flow and returns what happened.
   *
   * @throws TimeoutException if a step did not happen within 15 s
   */
  DemoReport run() throws Exception {
    FlowLog flow = new FlowLog(out);
    flow.plain("AgentBus demo: the seed's Phase 1.1 communication flow");
    String natsUrl = config.settings().string("agentbus.nats.url", "NATS_URL",
        "nats://localhost:4222");
    flow.plain("transport=" + config.transport()
        + (config.transport().equals("nats") ? " (" + natsUrl + ")" : "")
        + "  codec=" + config.codec()
        + "  namespace=" + config.namespace()
        + "  heartbeat=" + seconds(config.heartbeatInterval())
        + "  dead-after=" + seconds(config.deadAfter()));
    flow.plain("");

    MessageBus bus = config.newMessageBus();
    AgentHost host = config.newAgentHost(bus);
    AgentContext context = config.agentContextBuilder(bus).build();

    FreezableScheduler worker3Clock = new FreezableScheduler(context.scheduler());
    Orchestrator orchestrator = new Orchestrator(context,
        config.monitorBuilder(bus), flow);
    Architect architect = new Architect(context, flow);
    Decomposer decomposer = new Decomposer(context, flow);
    TestCoordinator coordinator = new TestCoordinator(context, flow);
    List<TestWorker> workers = List.of(
        new TestWorker(context, "test-worker-1", testDuration, flow),
        new TestWorker(context, "test-worker-2", testDuration, flow),
        new TestWorker(context.toBuilder().scheduler(worker3Clock).build(), "test-worker-3",
            testDuration, flow));
    ParserDeveloper parser = new ParserDeveloper(context, flow);

    DemoReport.Builder report = new DemoReport.Builder();
    try (host) {
      host.start(STEP_TIMEOUT, orchestrator);
      host.start(STEP_TIMEOUT, architect, decomposer, coordinator,
          workers.get(0), workers.get(1), workers.get(2));
      for (String id : List.of(Architect.ID, Decomposer.ID, TestCoordinator.ID,
          "test-worker-1", "test-worker-2", "test-worker-3")) {
        await(orchestrator.event(AgentEvent.Kind.JOINED, id), "the monitor to see " + id);
      }

      flow.plain("");
      host.start(STEP_TIMEOUT, parser); // its work loop starts the flow
      report.architectAnswer = await(parser.answer, "the architect's answer");
      report.completionHeardByDecomposer = await(decomposer.started,
          "the decomposer to start");
      report.testsRanBy = await(coordinator.results, "the test results");

      flow.plain("");
      report.aliveBeforeHang = orchestrator.aliveAgents();
      flow.step(Orchestrator.ID, "alive: " + String.join(", ", report.aliveBeforeHang));
      flow.step("test-worker-3", "hangs: its heartbeat timer stops (simulated)");
      worker3Clock.freeze();
      report.hungAgentDead = await(orchestrator.event(AgentEvent.Kind.DEAD, "test-worker-3"),
          "the monitor to notice test-worker-3's silence");
      report.aliveAfterHang = orchestrator.aliveAgents();
      flow.step(Orchestrator.ID, "alive: " + String.join(", ", report.aliveAfterHang));

      flow.plain("");
      flow.step("host", "shutting down: each agent announces it goes offline");
    }
    report.events = orchestrator.events();
    flow.plain("");
    flow.plain("Done: the request was answered, the decomposer started on the parser's "
        + "completion, " + report.testsRanBy.size() + " tests ran on "
        + Set.copyOf(report.testsRanBy.values()).size() + " workers, and the monitor noticed "
        + "the hung worker.");
    return report.build();
  }

  private static <T> T await(CompletableFuture<T> future, String what) throws Exception {
    try {
      return future.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException("The demo waited " + STEP_TIMEOUT.toSeconds() + " s for " + what
          + " in vain");
    } catch (ExecutionException e) {
      throw new IllegalStateException("The demo failed waiting for " + what + ": "
          + e.getCause(), e.getCause());
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** What happened during a run, for the demo's test. */
  record DemoReport(
      AgentMessage architectAnswer,
      AgentMessage completionHeardByDecomposer,
      Map<String, String> testsRanBy,
      Set<String> aliveBeforeHang,
      AgentEvent hungAgentDead,
      Set<String> aliveAfterHang,
      List<AgentEvent> events) {

    static final class Builder {
      @Nullable AgentMessage architectAnswer;
      @Nullable AgentMessage completionHeardByDecomposer;
      Map<String, String> testsRanBy = Map.of();
      Set<String> aliveBeforeHang = Set.of();
      @Nullable AgentEvent hungAgentDead;
      Set<String> aliveAfterHang = Set.of();
      List<AgentEvent> events = new ArrayList<>();

      DemoReport build() {
        return new DemoReport(Objects.requireNonNull(architectAnswer),
            Objects.requireNonNull(completionHeardByDecomposer), testsRanBy, aliveBeforeHang,
            Objects.requireNonNull(hungAgentDead), aliveAfterHang, events);
      }
    }
  }
}
