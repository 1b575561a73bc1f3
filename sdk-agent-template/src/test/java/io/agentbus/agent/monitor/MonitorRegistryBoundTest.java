package io.agentbus.agent.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.Published;
import io.agentbus.agent.TestBus;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18's forged-heartbeat flood: 10,000 heartbeats under made-up ids must not grow the
 * monitor's registry past its bound, and the forged agents are forgotten once they die and the
 * retention passes. Prints one {@code SECURITY-FIGURES} line.
 */
@ExtendWith(VirtualTimeExtension.class)
@Timeout(60)
class MonitorRegistryBoundTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int BOUND = 1_000;
  private static final int FORGED = 10_000;
  private static final Map<String, Object> ALIVE = Map.of("status", "alive");

  private VirtualScheduler time;
  private MessageBus bus;
  private OrchestratorMonitor monitor;

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    bus = TestBus.create(time, new Published());
    monitor = OrchestratorMonitor.builder(bus).noDiscoverySeed().maxAgents(BOUND)
        .retention(Duration.ofMinutes(10)).build().start();
  }

  @AfterEach
  void tearDown() {
    monitor.close();
    bus.close();
  }

  @Test
  void tenThousandForgedHeartbeatsStayWithinTheBoundAndAreForgottenAfterTheRetention()
      throws Exception {
    bus.endpoint("orchestrator-001").broadcast(MessageType.HEARTBEAT, ALIVE);
    await(() -> monitor.observedMessages() == 1, "the real agent's heartbeat");
    for (int i = 0; i < FORGED; i++) {
      bus.endpoint("forged-" + i).broadcast(MessageType.HEARTBEAT, ALIVE);
      if (i % 1000 == 999) { // in batches: the subscription's pending bound is not under test
        long n = i + 2;
        await(() -> monitor.observedMessages() == n, n + " heartbeats observed");
      }
    }
    int peak = monitor.size();
    long refused = monitor.refusedAgents();
    assertThat(peak).isEqualTo(BOUND);
    assertThat(refused).isEqualTo(FORGED + 1 - BOUND);
    assertThat(monitor.isAlive("orchestrator-001")).as("a known agent is never pushed out")
        .isTrue();

    // the forged ids never heartbeat again: dead after 90 s, forgotten 10 min later
    for (int minute = 1; minute <= 12; minute++) {
      bus.endpoint("orchestrator-001").broadcast(MessageType.HEARTBEAT, ALIVE);
      long n = FORGED + 1 + minute;
      await(() -> monitor.observedMessages() == n, "heartbeat " + n);
      time.advance(Duration.ofMinutes(1));
    }
    assertThat(monitor.agents()).extracting(AgentStatus::agentId)
        .containsExactly("orchestrator-001");
    assertThat(monitor.evictedAgents()).isEqualTo(BOUND - 1);

    // room again: a new agent is admitted
    bus.endpoint("parser-dev-001").broadcast(MessageType.HEARTBEAT, ALIVE);
    await(() -> monitor.isAlive("parser-dev-001"), "the new agent admitted");

    int leaked = Math.max(0, peak - BOUND);
    System.out.println("SECURITY-FIGURES scenario=monitor-forged-heartbeats attempted=" + FORGED
        + " refused=" + refused + " admitted-then-evicted=" + monitor.evictedAgents()
        + " registry-peak=" + peak + " bound=" + BOUND + " leaked=" + leaked);
    assertThat(leaked).isZero();
  }

  @Test
  void whenFullAnAgentThatLeftMakesRoomAtOnce() throws Exception {
    for (int i = 0; i < BOUND; i++) {
      bus.endpoint("agent-" + i).broadcast(MessageType.HEARTBEAT, ALIVE);
    }
    await(() -> monitor.observedMessages() == BOUND, "the registry full");
    bus.endpoint("agent-7").broadcast(MessageType.STATUS_UPDATE, Map.of("status", "offline"));
    await(() -> monitor.status("agent-7").orElseThrow().liveness() == Liveness.OFFLINE,
        "agent-7 left");
    bus.endpoint("newcomer").broadcast(MessageType.HEARTBEAT, ALIVE);
    await(() -> monitor.isAlive("newcomer"), "the newcomer admitted");
    assertThat(monitor.size()).isEqualTo(BOUND);
    assertThat(monitor.status("agent-7")).isEmpty();
    assertThat(monitor.refusedAgents()).isZero();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Conditions.await(condition, WAIT, what);
  }

}
