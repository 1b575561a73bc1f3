package io.agentbus.examples;

import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.supervision.RestartPolicy;
import io.agentbus.agent.supervision.SupervisedAgent;
import io.agentbus.agent.task.TaskContext;
import io.agentbus.agent.task.TaskHandle;
import io.agentbus.agent.task.TaskOutcome;
import io.agentbus.agent.task.TaskState;
import io.agentbus.agent.task.Tasks;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The collaboration patterns of {@code docs/patterns.md}, played by agents on one bus:
 *
 * <ol>
 *   <li>a long task with progress: the orchestrator assigns a review to {@code reviewer-001},
 *       which reports each file and completes; a second review is canceled midway, and the
 *       reviewer's handler sees the cancel;
 *   <li>a coordination request answered by three agents (scatter-gather);
 *   <li>an agent that crashes twice and recovers under supervision.
 * </ol>
 *
 * In memory by default; {@code AGENTBUS_TRANSPORT=nats NATS_URL=...} runs it on NATS.
 */
public final class CollaborationDemo {
  private static final Duration STEP = Duration.ofSeconds(15);
  static final List<String> FILES = List.of("task.py", "parser.py", "decomposer.py");

  private final AgentBusConfig config;
  private final PrintStream out;

  CollaborationDemo(AgentBusConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    try {
      new CollaborationDemo(AgentBusConfig.loader().defaults(Phase11Demo.DEMO_DEFAULTS).load(),
          System.out).run();
    } catch (AgentBusException e) {
      System.err.println("The demo could not run: " + e.getMessage());
      System.exit(1);
    }
  }

  /** What happened, for the demo's test. */
  record Report(TaskOutcome reviewed, List<Map<String, @Nullable Object>> progress,
      TaskOutcome canceled, String cancelSeenByHandler, GatherResult gathered,
      SupervisedAgent.Status crasherStatus, int crasherRestarts, int crasherInstances) {}

  /** Reviews files, one progress report each; blocks on "slow.py" until canceled. */
  static final class Reviewer extends AbstractAgent {
    final CountDownLatch slowStarted = new CountDownLatch(1);
    final java.util.concurrent.CompletableFuture<String> cancelSeen =
        new java.util.concurrent.CompletableFuture<>();

    Reviewer(AgentContext context) {
      super("reviewer-001", context);
    }

    @Override
    protected void configure(Handlers h) {
      closeOnStop(Tasks.builder(bus(), id()).handler(this::review).build()).declare(h);
      h.onBroadcast(MessageType.COORDINATION_REQUEST, Answerers.answer(id()));
    }

    private Map<String, Object> review(TaskContext task) throws Exception {
      @SuppressWarnings("unchecked")
      List<String> files = (List<String>) task.input().get("files");
      for (String file : files) {
        if (file.equals("slow.py")) {
          slowStarted.countDown();
          try {
            new CountDownLatch(1).await(); // a long review, until interrupted by the cancel
          } catch (InterruptedException e) {
            cancelSeen.complete(String.valueOf(task.cancelReason()));
            throw e;
          }
        }
        task.progress(Map.of("file", file, "verdict", "ok"));
      }
      return Map.of("files", (long) files.size(), "verdict", "approved");
    }
  }

  /** Answers coordination requests. */
  static final class Answerers extends AbstractAgent {
    Answerers(AgentContext context, String id) {
      super(id, context);
    }

    @Override
    protected void configure(Handlers h) {
      h.onBroadcast(MessageType.COORDINATION_REQUEST, answer(id()));
    }

    static io.agentbus.MessageHandler answer(String id) {
      return d -> {
        if (d.isRequest()) {
          d.reply(id, MessageType.ANSWER, Map.of("ready", true));
        }
      };
    }
  }

  /** Its work loop fails in its first two lives. */
  static final class Crasher extends AbstractAgent {
    private final int life;

    Crasher(AgentContext context, int life) {
      super("flaky-worker-001", context);
      this.life = life;
    }

    @Override
    protected void configure(Handlers h) {
      h.workLoop(() -> {
        if (life <= 2) {
          throw new IllegalStateException("crash in life " + life);
        }
      });
    }
  }

  Report run() throws Exception {
    FlowLog flow = new FlowLog(out);
    flow.plain("AgentBus demo: tasks, scatter-gather, supervision (transport="
        + config.transport() + ")");
    MessageBus bus = config.newMessageBus();
    AgentHost host = config.newAgentHost(bus);
    AgentContext context = config.agentContextBuilder(bus).build();
    Reviewer reviewer = new Reviewer(context);
    try (host; Tasks orchestrator = Tasks.builder(bus, "orchestrator").build().listen()) {
      host.start(STEP, reviewer, new Answerers(context, "architect-001"),
          new Answerers(context, "parser-dev-001"));

      // 1. a long task with progress, and one canceled
      List<Map<String, @Nullable Object>> progress = new java.util.concurrent
          .CopyOnWriteArrayList<>();
      TaskHandle review = orchestrator.assign(reviewer.id(), Map.of("files", FILES),
          io.agentbus.agent.task.TaskOptions.DEFAULTS, t -> {
            Map<String, @Nullable Object> p = t.lastProgress();
            if (!p.isEmpty() && (progress.isEmpty() || progress.get(progress.size() - 1) != p)) {
              progress.add(p);
              flow.step("reviewer-001", "progress " + p);
            }
          });
      TaskOutcome reviewed = review.outcome().get(STEP.toSeconds(), TimeUnit.SECONDS);
      flow.step("orchestrator", "review " + reviewed.state().wireName() + ": "
          + reviewed.result());
      TaskHandle slow = orchestrator.assign(reviewer.id(), Map.of("files", List.of("slow.py")));
      if (!reviewer.slowStarted.await(STEP.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the slow review did not start");
      }
      slow.cancel("the release was postponed");
      TaskOutcome canceled = slow.outcome().get(STEP.toSeconds(), TimeUnit.SECONDS);
      flow.step("orchestrator", "second review " + canceled.state().wireName());

      // 2. a coordination request answered by three agents, the directory saying who listens
      GatherResult gathered = AgentDirectory.of(bus).gatherFromListeners(AgentMessage.builder()
          .fromAgent("orchestrator").messageType(MessageType.COORDINATION_REQUEST)
          .content(Map.of("question", "Is Task model ready?")).timestamp(Instant.now()).build(),
          GatherOptions.builder(Duration.ofSeconds(5)).build(), Duration.ofMillis(500))
          .get(STEP.toSeconds(), TimeUnit.SECONDS);
      flow.step("orchestrator", "gathered " + gathered.respondents() + " of the expected "
          + gathered.expected() + " (" + gathered.ending() + ")");

      // 3. an agent that crashes twice and recovers
      AtomicInteger lives = new AtomicInteger();
      SupervisedAgent crasher = host.supervise(
          () -> new Crasher(context, lives.incrementAndGet()),
          RestartPolicy.builder().initialBackoff(Duration.ofMillis(50))
              .maxBackoff(Duration.ofMillis(200)).build());
      long end = System.nanoTime() + STEP.toNanos();
      while (lives.get() < 3 || crasher.current().state() != io.agentbus.Agent.State.RUNNING) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the crashing agent did not recover: " + crasher);
        }
        Thread.sleep(10);
      }
      flow.step("flaky-worker-001", "running again after " + crasher.restarts() + " restarts");
      Report report = new Report(reviewed, List.copyOf(progress), canceled,
          reviewer.cancelSeen.get(STEP.toSeconds(), TimeUnit.SECONDS), gathered, crasher.status(), crasher.restarts(), lives.get());
      flow.plain("Done.");
      return report;
    }
  }
}
