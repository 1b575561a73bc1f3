package io.agentbus.agent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Published;
import io.agentbus.agent.TestBus;
import io.agentbus.agent.monitor.AgentEvent.Kind;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class OrchestratorMonitorTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, Object> ALIVE = Map.of("status", "alive");

  private VirtualScheduler time;
  private Instant start;
  private MessageBus bus;
  private OrchestratorMonitor monitor;
  private final List<AgentEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final BlockingQueue<AgentEvent> eventQueue = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    this.start = time.now();
    bus = TestBus.create(time, new Published());
    // fed by hand and by heartbeats; seeding from discovery is AgentDiscoveryTest's, and its
    // gathering timer would count among the pending tasks asserted here
    monitor = OrchestratorMonitor.builder(bus)
        .noDiscoverySeed()
        .addListener(events::add)
        .addListener(eventQueue::add)
        .build()
        .start();
  }

  @AfterEach
  void tearDown() {
    monitor.close();
    bus.close();
  }

  private AgentEvent nextEvent() throws InterruptedException {
    AgentEvent e = eventQueue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(e).as("an event within %s", WAIT).isNotNull();
    return e;
  }

  private List<AgentEvent> eventsOf(Kind kind, String agent) {
    synchronized (events) {
      return events.stream().filter(e -> e.kind() == kind && e.agentId().equals(agent)).toList();
    }
  }

  /** Waits until the monitor has taken {@code n} messages into account (delivery is async). */
  private void awaitObserved(long n) throws InterruptedException {
    awaitTrue(() -> monitor.observedMessages() >= n, "monitor observed " + n + " messages");
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting until " + what);
      }
      Thread.sleep(2); // polling a condition, not timing anything
    }
  }

  @Test
  void aliveAt89SecondsDeadAtExactly90AndToldOnce() throws Exception {
    bus.endpoint("worker-1").broadcast(MessageType.HEARTBEAT, ALIVE);
    AgentEvent joined = nextEvent();
    assertThat(joined.kind()).isEqualTo(Kind.JOINED);
    assertThat(joined.agentId()).isEqualTo("worker-1");
    assertThat(joined.at()).isEqualTo(start);

    time.advance(Duration.ofSeconds(89));
    assertThat(monitor.isAlive("worker-1")).isTrue();
    assertThat(monitor.aliveAgents()).containsExactly("worker-1");
    assertThat(eventsOf(Kind.DEAD, "worker-1")).isEmpty();

    time.advance(Duration.ofSeconds(1));
    assertThat(monitor.isAlive("worker-1")).isFalse();
    assertThat(monitor.aliveAgents()).isEmpty();
    AgentStatus status = monitor.status("worker-1").orElseThrow();
    assertThat(status.liveness()).isEqualTo(Liveness.DEAD);
    assertThat(status.deadSince()).isEqualTo(start.plusSeconds(90));
    assertThat(status.lastHeartbeat()).isEqualTo(start);
    assertThat(status.lastStatus()).isEqualTo("alive");
    List<AgentEvent> dead = eventsOf(Kind.DEAD, "worker-1");
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).at()).isEqualTo(start.plusSeconds(90));

    time.advance(Duration.ofHours(1));
    assertThat(eventsOf(Kind.DEAD, "worker-1")).hasSize(1);
  }

  @Test
  void aRecoveredAgentIsAliveAgainAndCanDieAgain() throws Exception {
    bus.endpoint("worker-1").broadcast(MessageType.HEARTBEAT, ALIVE);
    assertThat(nextEvent().kind()).isEqualTo(Kind.JOINED);
    time.advance(Duration.ofSeconds(90));
    assertThat(nextEvent().kind()).isEqualTo(Kind.DEAD);

    time.advance(Duration.ofSeconds(10));
    bus.endpoint("worker-1").broadcast(MessageType.HEARTBEAT, ALIVE);
    AgentEvent recovered = nextEvent();
    assertThat(recovered.kind()).isEqualTo(Kind.RECOVERED);
    assertThat(recovered.at()).isEqualTo(start.plusSeconds(100));
    assertThat(monitor.isAlive("worker-1")).isTrue();
    assertThat(recovered.status().deadSince()).isNull();

    time.advance(Duration.ofSeconds(89));
    assertThat(monitor.isAlive("worker-1")).isTrue();
    time.advance(Duration.ofSeconds(1));
    AgentEvent deadAgain = nextEvent();
    assertThat(deadAgain.kind()).isEqualTo(Kind.DEAD);
    assertThat(deadAgain.at()).isEqualTo(start.plusSeconds(190));
    assertThat(eventsOf(Kind.DEAD, "worker-1")).hasSize(2);
    assertThat(eventsOf(Kind.JOINED, "worker-1")).hasSize(1);
  }

  @Test
  void aRealAgentsHeartbeatsKeepItAliveAndStoppingMakesItLeaveNotDie() throws Exception {
    AgentContext context = AgentContext.builder(bus).scheduler(time).build();
    AbstractAgent agent = new AbstractAgent(context) {
      @Override
      public String id() {
        return "parser-dev-001";
      }
    };
    agent.startAsync().awaitRunning(WAIT);
    assertThat(nextEvent().kind()).isEqualTo(Kind.JOINED);

    // ten minutes of heartbeats every 30 s; each must land before time moves past it
    for (int i = 1; i <= 20; i++) {
      time.advance(Duration.ofSeconds(30));
      awaitObserved(1 + i);
      assertThat(monitor.isAlive("parser-dev-001")).as("after %d s", 30 * i).isTrue();
    }
    assertThat(monitor.status("parser-dev-001").orElseThrow().lastHeartbeat())
        .isEqualTo(start.plusSeconds(600));

    agent.stopAsync().awaitTerminated(WAIT);
    AgentEvent left = nextEvent();
    assertThat(left.kind()).isEqualTo(Kind.LEFT);
    assertThat(left.status().liveness()).isEqualTo(Liveness.OFFLINE);
    assertThat(left.status().lastStatus()).isEqualTo("offline");
    time.advance(Duration.ofHours(1));
    assertThat(eventsOf(Kind.DEAD, "parser-dev-001")).isEmpty();
    assertThat(monitor.aliveAgents()).isEmpty();
  }

  @Test
  void statusUpdatesAreRecordedAndComingBackAfterLeavingIsAJoin() throws Exception {
    bus.endpoint("architect-001").broadcast(MessageType.STATUS_UPDATE,
        Map.of("status", "completed", "component", "task_model"));
    assertThat(nextEvent().kind()).isEqualTo(Kind.JOINED);
    AgentStatus s = monitor.status("architect-001").orElseThrow();
    assertThat(s.lastStatus()).isEqualTo("completed");
    assertThat(s.lastStatusContent()).containsEntry("component", "task_model");
    assertThat(s.lastHeartbeat()).isNull();

    bus.endpoint("architect-001").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "offline"));
    assertThat(nextEvent().kind()).isEqualTo(Kind.LEFT);
    bus.endpoint("architect-001").broadcast(MessageType.HEARTBEAT, ALIVE);
    assertThat(nextEvent().kind()).isEqualTo(Kind.JOINED);
    assertThat(eventsOf(Kind.JOINED, "architect-001")).hasSize(2);
  }

  @Test
  void anAgentFirstHeardOfGoingOfflineIsRecordedWithoutEvents() throws Exception {
    monitor.observe(message("ghost-1", MessageType.STATUS_UPDATE, Map.of("status", "offline")));
    assertThat(monitor.status("ghost-1").orElseThrow().liveness()).isEqualTo(Liveness.OFFLINE);
    assertThat(events).isEmpty();
    assertThat(monitor.agents()).extracting(AgentStatus::agentId).containsExactly("ghost-1");
  }

  @Test
  void taskFailedAndBlockerGoToTheirHandlersAndCountAsSignsOfLife() throws Exception {
    BlockingQueue<AgentMessage> failures = new LinkedBlockingQueue<>();
    BlockingQueue<AgentMessage> blockers = new LinkedBlockingQueue<>();
    OrchestratorMonitor withHandlers = OrchestratorMonitor.builder(bus)
        .scheduler(time)
        .onTaskFailed(d -> failures.add(d.message()))
        .onBlocker(d -> blockers.add(d.message()))
        .build().start();
    try {
      bus.endpoint("parser-dev-001").broadcast(MessageType.TASK_FAILED,
          Map.of("task", "TaskParser implementation", "error", "tests failing"));
      bus.endpoint("decomposer-001").broadcast(MessageType.BLOCKER,
          Map.of("waiting_on", "parser-dev-001"));

      AgentMessage failed = failures.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(failed).isNotNull();
      assertThat(failed.fromAgent()).isEqualTo("parser-dev-001");
      assertThat(failed.content()).containsEntry("error", "tests failing");
      AgentMessage blocker = blockers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(blocker).isNotNull();
      assertThat(blocker.content()).containsEntry("waiting_on", "parser-dev-001");
      assertThat(withHandlers.aliveAgents()).containsExactly("decomposer-001", "parser-dev-001");
    } finally {
      withHandlers.close();
    }
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() throws Exception {
    AtomicInteger told = new AtomicInteger();
    monitor.addListener(e -> {
      throw new IllegalStateException("listener bug");
    });
    monitor.addListener(e -> told.incrementAndGet());
    monitor.observe(message("worker-1", MessageType.HEARTBEAT, ALIVE));
    assertThat(told).hasValue(1);
    assertThat(events).hasSize(1);
  }

  @Test
  void messagesReceivedBeforeCloseAreStillTakenIntoAccount() throws Exception {
    for (int i = 0; i < 20; i++) {
      bus.endpoint("worker-" + i).broadcast(MessageType.HEARTBEAT, ALIVE);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(nextEvent().kind()).isEqualTo(Kind.JOINED);
    }
    // the in-memory transport hands a message to the subscription before publish returns
    for (int i = 0; i < 20; i++) {
      bus.endpoint("worker-" + i).broadcast(MessageType.STATUS_UPDATE, Map.of("status", "offline"));
    }
    monitor.close();
    for (int i = 0; i < 20; i++) {
      assertThat(eventsOf(Kind.LEFT, "worker-" + i)).as("worker-%d left", i).hasSize(1);
    }
  }

  @Test
  void afterCloseNothingMoreHappens() throws Exception {
    monitor.observe(message("worker-1", MessageType.HEARTBEAT, ALIVE));
    monitor.close();
    assertThat(time.pendingTasks()).isZero();
    time.advance(Duration.ofMinutes(5));
    monitor.observe(message("worker-2", MessageType.HEARTBEAT, ALIVE));
    assertThat(events).extracting(AgentEvent::kind).containsExactly(Kind.JOINED);
    assertThat(monitor.size()).isEqualTo(1);
  }

  @Test
  void tenThousandAgentsWithOneTimer() throws Exception {
    int n = 10_000;
    CountDownLatch joined = new CountDownLatch(n);
    CountDownLatch dead = new CountDownLatch(n);
    monitor.addListener(e -> {
      if (e.kind() == Kind.JOINED) {
        joined.countDown();
      } else if (e.kind() == Kind.DEAD) {
        dead.countDown();
      }
    });
    // in batches, so that no subscription's pending-message bound is what gets tested
    for (int i = 0; i < n; i++) {
      bus.endpoint("agent-" + i).broadcast(MessageType.HEARTBEAT, ALIVE);
      if (i % 1000 == 999) {
        awaitObserved(i + 1);
      }
    }
    assertThat(joined.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(monitor.aliveAgents()).hasSize(n);
    assertThat(time.pendingTasks()).as("one timer, not one per agent").isEqualTo(1);

    time.advance(Duration.ofSeconds(60));
    for (int i = 0; i < n; i += 2) {
      bus.endpoint("agent-" + i).broadcast(MessageType.HEARTBEAT, ALIVE);
      if (i % 2000 == 1998) {
        awaitObserved(n + i / 2 + 1);
      }
    }
    awaitObserved(n + n / 2);
    assertThat(time.pendingTasks()).isEqualTo(1);

    time.advance(Duration.ofSeconds(30));
    assertThat(monitor.aliveAgents()).hasSize(n / 2)
        .allSatisfy(id -> assertThat(Integer.parseInt(id.substring(6)) % 2).isZero());
    assertThat(events.stream().filter(e -> e.kind() == Kind.DEAD).count()).isEqualTo(n / 2);
    assertThat(events.stream().filter(e -> e.kind() == Kind.DEAD))
        .allSatisfy(e -> assertThat(e.at()).isEqualTo(start.plusSeconds(90)));

    time.advance(Duration.ofSeconds(60));
    assertThat(dead.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(monitor.aliveAgents()).isEmpty();
    assertThat(events.stream().filter(e -> e.kind() == Kind.DEAD).count()).isEqualTo(n);
    assertThat(events.stream().filter(e -> e.kind() == Kind.DEAD)
        .map(AgentEvent::agentId).distinct().count()).isEqualTo(n);
    // the one timer now forgets the dead after the retention (1 h), the first half first
    assertThat(time.dueTimes()).containsExactly(start.plusSeconds(90).plus(Duration.ofHours(1)));
    time.advance(Duration.ofHours(1).minusSeconds(30)); // now 90 s + 1 h: the first half
    assertThat(monitor.size()).isEqualTo(n / 2);
    time.advance(Duration.ofSeconds(60)); // past 150 s + 1 h: the second half
    assertThat(monitor.size()).isZero();
    assertThat(monitor.evictedAgents()).isEqualTo(n);
    assertThat(time.pendingTasks()).isZero();
  }

  private AgentMessage message(String from, MessageType type, Map<String, Object> content) {
    return AgentMessage.builder().fromAgent(from).messageType(type).content(content)
        .timestamp(time.now()).build();
  }
}
