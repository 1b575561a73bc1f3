package io.agentbus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.Agent.State;
import io.agentbus.AgentMessage;
import io.agentbus.InvalidSubjectException;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class AbstractAgentTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final Map<String, Object> TASK_MODEL = Map.of(
      "resource", "task_model",
      "status", "ready",
      "location", "src/models/task.py",
      "api", Map.of(
          "class", "Task",
          "fields", List.of("goal", "constraints", "context", "task_type"),
          "methods", List.of("to_dict", "from_dict")));

  private VirtualScheduler time;
  private Published published;
  private MessageBus bus;
  private AgentContext context;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    published = new Published();
    bus = TestBus.create(time, published);
    context = AgentContext.builder(bus).heartbeatInterval(Duration.ofSeconds(30))
        .drainTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Agent a : agents) {
      a.stopAsync();
    }
    for (Agent a : agents) {
      try {
        a.awaitTerminated(WAIT);
      } catch (IllegalStateException expectedForFailedAgents) {
        // some tests make agents fail on purpose
      }
    }
    bus.close();
  }

  /** A configurable agent for the tests. */
  private class TestAgent extends AbstractAgent {
    private final String id;
    Set<String> teams = Set.of();
    Consumer<Handlers> configure = h -> {};
    ThrowingRunnable onStart = () -> {};
    ThrowingRunnable onStop = () -> {};
    final AtomicInteger onStopCalls = new AtomicInteger();

    TestAgent(String id) {
      this(id, context);
    }

    TestAgent(String id, AgentContext ctx) {
      super(ctx);
      this.id = id;
      agents.add(this);
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Set<String> teams() {
      return teams;
    }

    @Override
    protected void configure(Handlers handlers) {
      configure.accept(handlers);
    }

    @Override
    protected void onStart() throws Exception {
      onStart.run();
    }

    @Override
    protected void onStop() throws Exception {
      onStopCalls.incrementAndGet();
      onStop.run();
    }

    <T extends AutoCloseable> T register(T resource) {
      return closeOnStop(resource);
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static List<String> recordTransitions(Agent agent) {
    List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    agent.addListener((a, from, to, failure) -> transitions.add(from + "->" + to));
    return transitions;
  }

  private TestAgent architect() {
    TestAgent architect = new TestAgent("architect-001");
    architect.configure = h -> h.onRequest(MessageType.RESOURCE_REQUEST,
        MessageType.RESOURCE_RESPONSE, request -> TASK_MODEL);
    return architect;
  }

  // ------------------------------------------------------------------ starting and requests

  @Test
  void answersRequestsAsItselfWithTheRequestsCorrelationId() throws Exception {
    TestAgent architect = architect();
    architect.startAsync().awaitRunning(WAIT);

    AgentMessage reply = bus.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST,
        Map.of("resource", "task_model", "reason", "Need to implement TaskParser"), WAIT);

    assertThat(reply.fromAgent()).isEqualTo("architect-001");
    assertThat(reply.toAgent()).isEqualTo("parser-dev-001");
    assertThat(reply.messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
    assertThat(reply.content()).isEqualTo(TASK_MODEL);
    AgentMessage request = published.from("parser-dev-001", MessageType.RESOURCE_REQUEST).get(0);
    assertThat(reply.correlationId()).isNotNull().isEqualTo(request.correlationId());
  }

  @Test
  void transitionsAreToldInOrder() throws Exception {
    TestAgent agent = new TestAgent("worker-1");
    List<String> transitions = recordTransitions(agent);
    assertThat(agent.state()).isEqualTo(State.NEW);

    agent.startAsync().awaitRunning(WAIT);
    agent.stopAsync().awaitTerminated(WAIT);

    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING",
        "RUNNING->STOPPING", "STOPPING->TERMINATED");
    assertThat(agent.failureCause()).isNull();
  }

  @Test
  void anAgentWhoseConnectionClosesForGoodFailsWithTheReasonInsteadOfStayingRunning()
      throws Exception {
    TestAgent deafened = architect();
    TestAgent stoppedBefore = new TestAgent("parser-dev-001");
    deafened.startAsync().awaitRunning(WAIT);
    stoppedBefore.startAsync().awaitRunning(WAIT);
    stoppedBefore.stopAsync().awaitTerminated(WAIT);

    bus.transport().close(); // as when the server refused the credentials at a reconnect

    assertThatThrownBy(() -> deafened.awaitTerminated(WAIT))
        .isInstanceOf(IllegalStateException.class);
    assertThat(deafened.state()).isEqualTo(State.FAILED);
    assertThat(deafened.failureCause())
        .hasMessageContaining("Agent 'architect-001' cannot serve")
        .hasMessageContaining("closed for good");
    assertThat(stoppedBefore.state()).isEqualTo(State.TERMINATED);
  }

  @Test
  void teamBroadcastAndDirectMessagesReachTheirHandlers() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    TestAgent agent = new TestAgent("parser-dev-001");
    agent.teams = Set.of("parsers");
    agent.configure = h -> h
        .on(MessageType.QUESTION, d -> seen.add("question via " + d.subject()))
        .onBroadcast(MessageType.TASK_COMPLETE,
            d -> seen.add("broadcast from " + d.message().fromAgent()));
    agent.startAsync().awaitRunning(WAIT);

    bus.endpoint("architect-001").send("parser-dev-001", MessageType.QUESTION, Map.of("q", 1));
    assertThat(seen.poll(10, TimeUnit.SECONDS))
        .isEqualTo("question via orchestrator.agent.parser-dev-001.question");
    bus.endpoint("architect-001").sendToTeam("parsers", MessageType.QUESTION, Map.of("q", 2));
    assertThat(seen.poll(10, TimeUnit.SECONDS))
        .isEqualTo("question via orchestrator.team.parsers.question");
    bus.endpoint("decomposer-001").broadcast(MessageType.TASK_COMPLETE, Map.of("task", "x"));
    assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("broadcast from decomposer-001");
  }

  @Test
  void workQueueItemsAreEachHandledOnceAcrossWorkers() throws Exception {
    int items = 30;
    Map<Long, String> handledBy = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(items);
    AtomicInteger duplicates = new AtomicInteger();
    TestAgent runner = new TestAgent("test-runner");
    runner.configure = h -> h.onQueue("test_execution", 3, d -> {
      long n = (Long) d.message().content().get("n");
      if (handledBy.putIfAbsent(n, Thread.currentThread().getName()) != null) {
        duplicates.incrementAndGet();
      }
      done.countDown();
    });
    runner.startAsync().awaitRunning(WAIT);

    for (int i = 0; i < items; i++) {
      bus.endpoint("test-coordinator").publishToQueue("test_execution", MessageType.TASK_ASSIGNMENT,
          Map.of("n", i));
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(handledBy).hasSize(items);
    assertThat(duplicates).hasValue(0);
  }

  @Test
  void aMessageWithoutHandlerFailsTheRequesterAtOnceAndIsCounted() throws Exception {
    TestAgent agent = new TestAgent("architect-001");
    agent.startAsync().awaitRunning(WAIT);

    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").request("architect-001",
        MessageType.QUESTION, Map.of("question", "?"), WAIT))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("Agent 'architect-001' has no handler for question messages");
    assertThat(bus.stats().handlerFailures()).isEqualTo(1);
    assertThat(bus.stats().deadLettered()).isEqualTo(1);
  }

  @Test
  void aRequestHandlerThatThrowsFailsTheRequester() throws Exception {
    TestAgent agent = new TestAgent("architect-001");
    agent.configure = h -> h.onRequest(MessageType.RESOURCE_REQUEST,
        MessageType.RESOURCE_RESPONSE, r -> {
          throw new IllegalStateException("schema not ready");
        });
    agent.startAsync().awaitRunning(WAIT);

    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of(), WAIT))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("schema not ready");
    assertThat(agent.state()).isEqualTo(State.RUNNING);
  }

  // ------------------------------------------------------------------ heartbeats

  @Test
  void heartbeatsAtStartThenEveryIntervalOfVirtualTime() throws Exception {
    Instant start = time.now();
    TestAgent agent = new TestAgent("worker-1");
    agent.startAsync().awaitRunning(WAIT);

    List<AgentMessage> beats = published.from("worker-1", MessageType.HEARTBEAT);
    assertThat(beats).hasSize(1);
    assertThat(beats.get(0).content()).isEqualTo(Map.of("status", "alive"));
    assertThat(beats.get(0).toAgent()).isNull();

    time.advance(Duration.ofSeconds(29));
    assertThat(published.from("worker-1", MessageType.HEARTBEAT)).hasSize(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(published.from("worker-1", MessageType.HEARTBEAT)).hasSize(2);
    time.advance(Duration.ofMinutes(5));
    List<AgentMessage> all = published.from("worker-1", MessageType.HEARTBEAT);
    assertThat(all).hasSize(12);
    assertThat(all.get(11).timestamp()).isEqualTo(start.plusSeconds(330));
  }

  @Test
  void heartbeatsReachSubscribersInTheSeedsShape() throws Exception {
    BlockingQueue<AgentMessage> beats = new LinkedBlockingQueue<>();
    bus.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> beats.add(d.message()));
    new TestAgent("my-agent-001").startAsync().awaitRunning(WAIT);

    AgentMessage beat = beats.poll(10, TimeUnit.SECONDS);
    assertThat(beat).isNotNull();
    assertThat(beat.fromAgent()).isEqualTo("my-agent-001");
    assertThat(beat.toAgent()).isNull();
    assertThat(beat.content()).isEqualTo(Map.of("status", "alive"));
    assertThat(beat.correlationId()).isNull();
  }

  // ------------------------------------------------------------------ stopping

  @Test
  void stoppingAnnouncesOfflineLastStopsHeartbeatsAndUnsubscribes() throws Exception {
    TestAgent architect = architect();
    architect.startAsync().awaitRunning(WAIT);
    time.advance(Duration.ofSeconds(30));

    architect.stopAsync().awaitTerminated(WAIT);

    List<AgentMessage> mine = published.matching(m -> m.fromAgent().equals("architect-001"));
    AgentMessage last = mine.get(mine.size() - 1);
    assertThat(last.messageType()).isEqualTo(MessageType.STATUS_UPDATE);
    assertThat(last.content()).isEqualTo(Map.of("status", "offline", "reason", "stopped"));
    assertThat(time.pendingTasks()).isZero();
    time.advance(Duration.ofMinutes(10));
    assertThat(published.from("architect-001", MessageType.HEARTBEAT)).hasSize(2);
    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of(), WAIT))
        .isInstanceOf(NoRespondersException.class);
    assertThat(bus.isClosed()).as("the shared bus is not the agent's to close").isFalse();
    assertThat(architect.onStopCalls).hasValue(1);
  }

  @Test
  void stopIsIdempotent() throws Exception {
    TestAgent agent = new TestAgent("worker-1");
    List<String> transitions = recordTransitions(agent);
    agent.startAsync().awaitRunning(WAIT);

    agent.stopAsync();
    agent.stopAsync();
    agent.awaitTerminated(WAIT);
    agent.stopAsync().awaitTerminated(WAIT);
    agent.startAsync();

    assertThat(agent.state()).isEqualTo(State.TERMINATED);
    assertThat(agent.onStopCalls).hasValue(1);
    assertThat(published.from("worker-1", MessageType.STATUS_UPDATE)).hasSize(1);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING",
        "RUNNING->STOPPING", "STOPPING->TERMINATED");
  }

  @Test
  void stoppingANewAgentTerminatesItWithoutStarting() throws Exception {
    TestAgent agent = new TestAgent("worker-1");
    List<String> transitions = recordTransitions(agent);

    agent.stopAsync().awaitTerminated(WAIT);

    assertThat(transitions).containsExactly("NEW->TERMINATED");
    assertThat(published.all()).isEmpty();
    assertThat(agent.onStopCalls).hasValue(0);
    assertThatThrownBy(() -> agent.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("TERMINATED");
  }

  @Test
  void stoppingDrainsAnInFlightHandlerBeforeAnnouncingOffline() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    TestAgent agent = new TestAgent("worker-1",
        context.toBuilder().drainTimeout(Duration.ofSeconds(30)).build());
    agent.configure = h -> h.on(MessageType.TASK_ASSIGNMENT, d -> {
      entered.countDown();
      release.await();
      bus.endpoint("worker-1").broadcast(MessageType.TASK_COMPLETE, Map.of("task", "t1"));
      finished.set(true);
    });
    agent.startAsync().awaitRunning(WAIT);
    bus.endpoint("test-coordinator").send("worker-1", MessageType.TASK_ASSIGNMENT, Map.of());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    agent.stopAsync();
    assertThatThrownBy(() -> agent.awaitTerminated(Duration.ofMillis(200)))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(agent.state()).isEqualTo(State.STOPPING);
    release.countDown();
    agent.awaitTerminated(WAIT);

    assertThat(finished).isTrue();
    List<AgentMessage> mine = published.matching(m -> m.fromAgent().equals("worker-1")
        && !m.messageType().equals(MessageType.HEARTBEAT));
    assertThat(mine).extracting(AgentMessage::messageType)
        .containsExactly(MessageType.TASK_COMPLETE, MessageType.STATUS_UPDATE);
  }

  @Test
  void aHandlerThatNeverFinishesDelaysStoppingOnlyUpToTheDrainTimeout() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AgentContext quick = context.toBuilder().drainTimeout(Duration.ofMillis(100)).build();
    TestAgent agent = new TestAgent("worker-1", quick);
    agent.configure = h -> h.on(MessageType.TASK_ASSIGNMENT, d -> {
      entered.countDown();
      never.await();
    });
    agent.startAsync().awaitRunning(WAIT);
    bus.endpoint("test-coordinator").send("worker-1", MessageType.TASK_ASSIGNMENT, Map.of());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      agent.stopAsync().awaitTerminated(WAIT);
      assertThat(agent.state()).isEqualTo(State.TERMINATED);
      assertThat(published.from("worker-1", MessageType.STATUS_UPDATE)).hasSize(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void stopRequestedWhileStartingStopsOnceStartedWithoutRunning() throws Exception {
    CountDownLatch inOnStart = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestAgent agent = new TestAgent("worker-1");
    agent.onStart = () -> {
      inOnStart.countDown();
      release.await();
    };
    List<String> transitions = recordTransitions(agent);
    agent.startAsync();
    assertThat(inOnStart.await(10, TimeUnit.SECONDS)).isTrue();

    agent.stopAsync();
    assertThat(agent.state()).isEqualTo(State.STARTING);
    release.countDown();
    agent.awaitTerminated(WAIT);

    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->STOPPING",
        "STOPPING->TERMINATED");
    assertThat(agent.onStopCalls).hasValue(1);
    assertThat(published.from("worker-1", MessageType.STATUS_UPDATE)).hasSize(1);
  }

  // ------------------------------------------------------------------ failures

  @Test
  void aFailedStartUndoesWhatItStartedAndEndsFailed() throws Exception {
    AtomicBoolean resourceClosed = new AtomicBoolean();
    AtomicInteger broadcastsSeen = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("database unreachable");
    TestAgent agent = new TestAgent("worker-1");
    agent.configure = h -> h
        .onBroadcast(MessageType.TASK_COMPLETE, d -> broadcastsSeen.incrementAndGet())
        .onQueue("jobs", 2, d -> broadcastsSeen.incrementAndGet());
    agent.onStart = () -> {
      agent.register(() -> resourceClosed.set(true));
      throw boom;
    };
    List<String> transitions = recordTransitions(agent);

    agent.startAsync();
    assertThatThrownBy(() -> agent.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FAILED")
        .hasCause(boom);

    assertThat(agent.state()).isEqualTo(State.FAILED);
    assertThat(agent.failureCause()).isSameAs(boom);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->FAILED");
    assertThat(resourceClosed).isTrue();
    assertThat(agent.onStopCalls).hasValue(0);
    assertThat(time.pendingTasks()).as("no heartbeat left scheduled").isZero();
    assertThat(published.matching(m -> m.fromAgent().equals("worker-1"))).isEmpty();
    // nothing is subscribed any more: a request finds no responder, a broadcast no handler
    assertThatThrownBy(() -> bus.endpoint("x").request("worker-1", MessageType.QUESTION,
        Map.of(), WAIT))
        .isInstanceOf(NoRespondersException.class);
    bus.endpoint("x").broadcast(MessageType.TASK_COMPLETE, Map.of());
    bus.flush(WAIT);
    assertThat(bus.stats().received()).isZero();
    assertThat(broadcastsSeen).hasValue(0);
    assertThatThrownBy(() -> agent.awaitTerminated(WAIT))
        .isInstanceOf(IllegalStateException.class).hasCause(boom);
  }

  @Test
  void declaringAHandlerTwiceFailsTheStartWithAClearMessage() {
    TestAgent agent = new TestAgent("worker-1");
    agent.configure = h -> h.on(MessageType.QUESTION, d -> {}).on(MessageType.QUESTION, d -> {});
    agent.startAsync();
    assertThatThrownBy(() -> agent.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Agent 'worker-1' declares a handler for question messages twice; "
            + "declare each once in configure(Handlers)");
  }

  @Test
  void anInvalidIdFailsTheStartNamingIt() {
    TestAgent agent = new TestAgent("parser dev");
    agent.startAsync();
    assertThatThrownBy(() -> agent.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .rootCause()
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("'parser dev'");
  }

  @Test
  void aFailingOnStopStillCleansUpAndEndsFailed() throws Exception {
    AtomicBoolean resourceClosed = new AtomicBoolean();
    RuntimeException boom = new RuntimeException("flush failed");
    TestAgent agent = new TestAgent("worker-1");
    agent.onStart = () -> agent.register(() -> resourceClosed.set(true));
    agent.onStop = () -> {
      throw boom;
    };
    agent.startAsync().awaitRunning(WAIT);

    agent.stopAsync();
    assertThatThrownBy(() -> agent.awaitTerminated(WAIT)).hasCause(boom);
    assertThat(agent.state()).isEqualTo(State.FAILED);
    assertThat(resourceClosed).isTrue();
    AgentMessage offline = published.from("worker-1", MessageType.STATUS_UPDATE).get(0);
    assertThat(offline.content()).containsEntry("status", "offline")
        .containsEntry("reason", "failed");
  }

  @Test
  void resourcesCloseInReverseOrder() throws Exception {
    List<String> closed = Collections.synchronizedList(new ArrayList<>());
    TestAgent agent = new TestAgent("worker-1");
    agent.onStart = () -> {
      agent.register(() -> closed.add("first"));
      agent.register(() -> closed.add("second"));
    };
    agent.startAsync().awaitRunning(WAIT);
    agent.stopAsync().awaitTerminated(WAIT);
    assertThat(closed).containsExactly("second", "first");
  }

  // ------------------------------------------------------------------ work loop

  private final class Worker extends TestAgent {
    final CountDownLatch working = new CountDownLatch(1);
    final AtomicBoolean interrupted = new AtomicBoolean();
    @Nullable Exception failWith;

    Worker() {
      super("worker-1");
      configure = h -> h.workLoop(this::work);
    }

    private void work() throws Exception {
      working.countDown();
      if (failWith != null) {
        throw failWith;
      }
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.set(true);
        throw e;
      }
    }
  }

  @Test
  void theWorkLoopRunsOnceRunningAndIsInterruptedByStop() throws Exception {
    Worker worker = new Worker();
    worker.startAsync().awaitRunning(WAIT);
    assertThat(worker.working.await(10, TimeUnit.SECONDS)).isTrue();

    worker.stopAsync().awaitTerminated(WAIT);
    assertThat(worker.interrupted).isTrue();
    assertThat(worker.state()).isEqualTo(State.TERMINATED);
  }

  @Test
  void aFailingWorkLoopStopsTheAgentAndEndsItFailed() throws Exception {
    Worker worker = new Worker();
    worker.failWith = new IllegalStateException("parser crashed");
    List<String> transitions = recordTransitions(worker);
    worker.startAsync();

    assertThatThrownBy(() -> worker.awaitTerminated(WAIT)).hasCause(worker.failWith);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING",
        "RUNNING->STOPPING", "STOPPING->FAILED");
    assertThat(worker.onStopCalls).hasValue(1);
    AgentMessage offline = published.from("worker-1", MessageType.STATUS_UPDATE).get(0);
    assertThat(offline.content()).containsEntry("reason", "failed")
        .containsEntry("error", "java.lang.IllegalStateException: parser crashed");
  }

  @Test
  void aWorkLoopThatReturnsLeavesTheAgentRunningOnItsOwnNamedThread() throws Exception {
    CompletableFuture<String> ranOn = new CompletableFuture<>();
    TestAgent agent = new TestAgent("worker-1");
    agent.configure = h -> h.workLoop(() -> ranOn.complete(Thread.currentThread().getName()
        + (Thread.currentThread().isDaemon() ? " (daemon)" : "")));
    agent.startAsync().awaitRunning(WAIT);

    assertThat(ranOn.get(10, TimeUnit.SECONDS)).isEqualTo("agentbus-worker-1-work");
    assertThat(agent.state()).isEqualTo(State.RUNNING);
    agent.stopAsync().awaitTerminated(WAIT);
  }

  @Test
  void anAgentWithoutAWorkLoopHasNoWorkThread() throws Exception {
    TestAgent agent = new TestAgent("idle-1");
    agent.startAsync().awaitRunning(WAIT);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("agentbus-idle-1-work"));
  }

  @Test
  void declaringTwoWorkLoopsFailsTheStart() {
    TestAgent agent = new TestAgent("worker-1");
    agent.configure = h -> h.workLoop(() -> {}).workLoop(() -> {});
    agent.startAsync();
    assertThatThrownBy(() -> agent.awaitRunning(WAIT))
        .rootCause()
        .hasMessage("Agent 'worker-1' declares a work loop twice; "
            + "declare each once in configure(Handlers)");
  }

  // ------------------------------------------------------------------ naming

  @Test
  void anAgentNamedInItsConstructorNeedsNoIdOverride() throws Exception {
    AbstractAgent named = new AbstractAgent("architect-001", context) {
      @Override
      protected void configure(Handlers h) {
        h.onRequest(MessageType.QUESTION, MessageType.ANSWER, r -> Map.of("me", id()));
      }
    };
    agents.add(named);
    assertThat(named.id()).isEqualTo("architect-001");
    named.startAsync().awaitRunning(WAIT);
    assertThat(bus.endpoint("asker").request("architect-001", MessageType.QUESTION, Map.of(),
        WAIT).content()).containsEntry("me", "architect-001");
  }

  @Test
  void anIdGivenToTheConstructorIsCheckedThere() {
    assertThatThrownBy(() -> new AbstractAgent("parser dev", context) {})
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("'parser dev'");
  }

  @Test
  void anAgentWithNoIdFailsToStartSayingHowToGiveIt() {
    AbstractAgent nameless = new AbstractAgent(context) {};
    agents.add(nameless);
    nameless.startAsync();
    assertThatThrownBy(() -> nameless.awaitRunning(WAIT))
        .rootCause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no id: pass it to AbstractAgent(String, AgentContext) or "
            + "override id()");
  }

  // ------------------------------------------------------------------ sharing

  @Test
  void manyAgentsShareOneBusAndNoneClosesIt() throws Exception {
    List<TestAgent> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = "agent-" + i;
      TestAgent a = new TestAgent(id);
      a.configure = h -> h.onRequest(MessageType.QUESTION, MessageType.ANSWER,
          r -> Map.of("me", id));
      many.add(a);
    }
    many.forEach(Agent::startAsync);
    for (TestAgent a : many) {
      a.awaitRunning(WAIT);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(bus.endpoint("asker").request("agent-" + i, MessageType.QUESTION, Map.of(), WAIT)
          .content()).containsEntry("me", "agent-" + i);
    }
    many.forEach(Agent::stopAsync);
    for (TestAgent a : many) {
      a.awaitTerminated(WAIT);
    }
    assertThat(bus.isClosed()).isFalse();
    bus.endpoint("asker").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "still here"));
  }
}
