package io.agentbus.agent.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.Published;
import io.agentbus.agent.TestBus;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.supervision.SupervisedAgent.Status;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every branch of supervision, in virtual time, on the in-memory transport. */
@ExtendWith(VirtualTimeExtension.class)
class SupervisorTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private VirtualScheduler time;
  private MessageBus bus;
  private AgentContext context;
  private Supervisor supervisor;
  private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
  private final List<Flaky> made = new CopyOnWriteArrayList<>();
  private final BlockingQueue<AgentMessage> blockers = new LinkedBlockingQueue<>();
  private final AtomicBoolean failStart = new AtomicBoolean();

  /** Its work loop fails on "fail", stops the agent on "end"; its start fails while failStart is set. */
  final class Flaky extends AbstractAgent {
    Flaky() {
      super("parser-dev-001", context);
    }

    @Override
    protected void configure(Handlers h) {
      h.workLoop(() -> {
        String c = commands.take();
        if (c.equals("fail")) {
          throw new IllegalStateException("crash " + made.size());
        }
        stopAsync(); // "end": the agent stops on its own
      });
    }

    @Override
    protected void onStart() {
      if (failStart.get()) {
        throw new IllegalStateException("cannot start");
      }
    }
  }

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    bus = TestBus.create(time, new Published());
    context = AgentContext.builder(bus).scheduler(time).shutdownHook(false).build();
    bus.subscribeToBroadcasts(MessageType.BLOCKER, d -> blockers.add(d.message()));
    supervisor = Supervisor.builder(bus).build();
  }

  @AfterEach
  void tearDown() {
    supervisor.close();
    bus.close();
  }

  private Flaky make() {
    Flaky f = new Flaky();
    made.add(f);
    return f;
  }

  private SupervisedAgent superviseRunning(RestartPolicy policy) throws Exception {
    SupervisedAgent s = supervisor.supervise(this::make, policy);
    s.current().awaitRunning(WAIT);
    return s;
  }

  /** Makes the running instance fail and waits until the supervisor saw it. */
  private void crash(SupervisedAgent s, Status expected) throws Exception {
    Agent before = s.current();
    commands.add("fail");
    await(() -> before.state() == Agent.State.FAILED);
    s.awaitStatus(expected, WAIT);
  }

  /** Advances to just before the backoff (no new instance), then to it (a new one runs). */
  private void restartsAfter(SupervisedAgent s, Duration backoff) throws Exception {
    int before = made.size();
    time.advance(backoff.minusMillis(1));
    assertThat(made).hasSize(before);
    time.advance(Duration.ofMillis(1));
    await(() -> made.size() == before + 1);
    s.current().awaitRunning(WAIT);
    assertThat(s.status()).isEqualTo(Status.RUNNING);
  }

  @Test
  void aFailedWorkLoopIsRestartedWithBackoffDoublingUpToTheLimitThenStaysFailed()
      throws Exception {
    SupervisedAgent s = superviseRunning(RestartPolicy.builder().maxRestarts(3)
        .window(Duration.ofMinutes(1)).initialBackoff(Duration.ofSeconds(1))
        .maxBackoff(Duration.ofSeconds(3)).build());

    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(1));
    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(2));
    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(3)); // 4 s capped at the maximum
    assertThat(s.restarts()).isEqualTo(3);

    crash(s, Status.FAILED);
    AgentMessage blocker = blockers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(blocker).isNotNull();
    assertThat(blocker.fromAgent()).isEqualTo("parser-dev-001");
    assertThat(blocker.content()).containsEntry("agent_id", "parser-dev-001")
        .containsEntry("status", "failed").containsEntry("error", "IllegalStateException: crash 4")
        .containsEntry("restarts", 3L).containsEntry("max_restarts", 3L)
        .containsEntry("window_seconds", 60L);
    assertThat(s.lastFailure()).hasMessage("crash 4");
    time.advance(Duration.ofMinutes(5));
    assertThat(made).hasSize(4);
    assertThat(s.status()).isEqualTo(Status.FAILED);
  }

  @Test
  void restartsOutsideTheWindowNoLongerCount() throws Exception {
    SupervisedAgent s = superviseRunning(RestartPolicy.builder().maxRestarts(1)
        .window(Duration.ofSeconds(10)).build());
    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(1)); // restart at 1 s
    time.advance(Duration.ofSeconds(10)); // 11 s: that restart left the window
    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(1)); // the initial backoff again: nothing recent
    crash(s, Status.FAILED); // within 10 s of the restart at 12 s
    assertThat(blockers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void aFailedStartIsRestartedToo() throws Exception {
    failStart.set(true);
    SupervisedAgent s = supervisor.supervise(this::make, RestartPolicy.DEFAULTS);
    s.awaitStatus(Status.RESTARTING, WAIT);
    assertThat(s.lastFailure()).hasMessage("cannot start");
    failStart.set(false);
    restartsAfter(s, Duration.ofSeconds(1));
    assertThat(s.restarts()).isEqualTo(1);
  }

  @Test
  void anAgentThatEndsWithoutFailingIsNotRestarted() throws Exception {
    SupervisedAgent s = superviseRunning(RestartPolicy.DEFAULTS);
    commands.add("end");
    s.awaitStatus(Status.STOPPED, WAIT);
    time.advance(Duration.ofMinutes(1));
    assertThat(made).hasSize(1);
  }

  @Test
  void neverRestartsAndAnnouncesTheFirstFailure() throws Exception {
    SupervisedAgent s = superviseRunning(RestartPolicy.never());
    crash(s, Status.FAILED);
    AgentMessage blocker = blockers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(blocker.content()).containsEntry("restarts", 0L).containsEntry("max_restarts", 0L);
    assertThat(made).hasSize(1);
  }

  @Test
  void closingCancelsAPendingRestart() throws Exception {
    SupervisedAgent s = superviseRunning(RestartPolicy.DEFAULTS);
    crash(s, Status.RESTARTING);
    supervisor.close();
    assertThat(s.status()).isEqualTo(Status.STOPPED);
    time.advance(Duration.ofMinutes(1));
    assertThat(made).hasSize(1);
    assertThatThrownBy(() -> supervisor.supervise(this::make))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void aFactoryThatFailsCountsAsAFailedRestart() throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    SupervisedAgent s = supervisor.supervise(() -> {
      if (broken.get()) {
        throw new IllegalStateException("no config");
      }
      return make();
    }, RestartPolicy.builder().maxRestarts(2).build());
    s.current().awaitRunning(WAIT);
    broken.set(true);
    crash(s, Status.RESTARTING);
    time.advance(Duration.ofSeconds(1)); // the factory fails: restart 1, backoff 2 s
    assertThat(s.status()).isEqualTo(Status.RESTARTING);
    time.advance(Duration.ofSeconds(2)); // fails again: restart 2 of 2, so it stays failed
    s.awaitStatus(Status.FAILED, WAIT);
    assertThat(s.lastFailure()).hasMessage("no config");
    assertThat(blockers.poll(WAIT.toSeconds(), TimeUnit.SECONDS).content())
        .containsEntry("error", "IllegalStateException: no config");
  }

  @Test
  void theHostSupervisesAndStopsItsSupervisedAgentsOnClose() throws Exception {
    AgentHost host = AgentHost.create(bus, Duration.ofSeconds(5), false);
    SupervisedAgent s = host.supervise(this::make, RestartPolicy.DEFAULTS);
    s.current().awaitRunning(WAIT);
    crash(s, Status.RESTARTING);
    restartsAfter(s, Duration.ofSeconds(1));
    Agent current = s.current();
    host.close();
    current.awaitTerminated(WAIT);
    assertThat(s.status()).isEqualTo(Status.STOPPED);
  }

  @Test
  void defaultsComeFromTheConfigurationAndBadValuesNameTheirKey() {
    RestartPolicy p = RestartPolicy.fromConfig(AgentBusConfig.fromProperties(Map.of(
        "agentbus.supervision.max-restarts", "5", "agentbus.supervision.window", "2m",
        "agentbus.supervision.initial-backoff", "500ms",
        "agentbus.supervision.max-backoff", "10s")));
    assertThat(p).isEqualTo(RestartPolicy.builder().maxRestarts(5).window(Duration.ofMinutes(2))
        .initialBackoff(Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10)).build());
    assertThat(RestartPolicy.fromConfig(AgentBusConfig.defaults()))
        .isEqualTo(RestartPolicy.DEFAULTS);
    assertThatThrownBy(() -> RestartPolicy.fromConfig(AgentBusConfig.fromProperties(
        Map.of("agentbus.supervision.max-restarts", "-1"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.supervision.max-restarts");
    assertThatThrownBy(() -> RestartPolicy.fromConfig(AgentBusConfig.fromProperties(
        Map.of("agentbus.supervision.initial-backoff", "1m"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("initialBackoff PT1M exceeds maxBackoff PT30S");
    assertThat(RestartPolicy.DEFAULTS.backoff(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(RestartPolicy.DEFAULTS.backoff(3)).isEqualTo(Duration.ofSeconds(8));
    assertThat(RestartPolicy.DEFAULTS.backoff(10)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> RestartPolicy.builder().multiplier(0.5))
        .hasMessageContaining("multiplier must be at least 1, was 0.5");
  }

  private static void await(BooleanSupplier condition) throws Exception {
    Conditions.await(condition, WAIT, "the condition this test waits for");
  }
}
