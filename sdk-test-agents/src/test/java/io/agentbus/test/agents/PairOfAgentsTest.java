package io.agentbus.test.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.RequestTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example of docs/testing.md: one agent asks another, times out, asks again. */
class PairOfAgentsTest {
  private final AgentTestKit kit = AgentTestKit.create();

  @AfterEach
  void tearDown() {
    kit.close();
  }

  @Test
  void thePlannerAsksAgainWhenTheLedgerIsSlowAndUsesTheSecondAnswer() {
    kit.start(Ledger::new);
    kit.start(Planner::new);
    kit.hold(Ledger.ID);                  // the ledger is slow: messages to it wait
    CompletableFuture<AgentMessage> done = nextBroadcast(MessageType.TASK_COMPLETE);
    Instant start = kit.time().now();

    kit.endpoint("orchestrator").send(Planner.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "q1-plan"));
    kit.awaitPendingRequests(1);          // the first ask waits for the held ledger
    kit.advance(Planner.ASK_TIMEOUT);     // ... and times out, in no real time
    kit.awaitPendingRequests(1);          // the planner asked again
    kit.release(Ledger.ID);               // the ledger answers both; only the second is awaited

    AgentMessage complete = kit.await(done);
    assertThat(complete.fromAgent()).isEqualTo(Planner.ID);
    assertThat(complete.content()).containsEntry("attempts", 2L).containsEntry("budget", 1200L);
    assertThat(kit.time().now()).isEqualTo(start.plus(Planner.ASK_TIMEOUT));
    kit.awaitNoPendingRequests();
  }

  @Test
  void thePlannerGivesUpAfterTwoTimeouts() {
    kit.start(Ledger::new);
    kit.start(Planner::new);
    kit.hold(Ledger.ID);
    CompletableFuture<AgentMessage> failed = nextBroadcast(MessageType.TASK_FAILED);

    kit.endpoint("orchestrator").send(Planner.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "q1-plan"));
    for (int attempt = 1; attempt <= Planner.ATTEMPTS; attempt++) {
      kit.awaitPendingRequests(1);
      kit.advance(Planner.ASK_TIMEOUT);
    }

    assertThat(kit.await(failed).content())
        .containsEntry("reason", "the ledger did not answer 2 times in PT5S");
    // close() releases what is still held, so the ledger can stop
  }

  @Test
  void theMonitorHearsBothAgentsEveryThirtySecondsOfVirtualTime() {
    kit.start(Ledger::new);
    kit.start(Planner::new);
    kit.awaitHeartbeat(Ledger.ID);
    kit.awaitHeartbeat(Planner.ID);

    for (int i = 0; i < 10; i++) { // five minutes, one heartbeat period at a time
      kit.advance(Duration.ofSeconds(30));
      kit.awaitHeartbeat(Ledger.ID);
      kit.awaitHeartbeat(Planner.ID);
    }
    assertThat(kit.monitor().aliveAgents()).contains(Ledger.ID, Planner.ID);
  }

  @Test
  void aWaitThatOnlyVirtualTimeCouldEndFailsFastWithTheClockInTheMessage() {
    try (AgentTestKit quick = AgentTestKit.builder().timeout(Duration.ofMillis(200)).build()) {
      quick.start(Ledger::new);
      quick.hold(Ledger.ID);
      CompletableFuture<AgentMessage> reply = quick.endpoint("asker").requestAsync(Ledger.ID,
          MessageType.RESOURCE_REQUEST, Map.of("resource", "budget"), Duration.ofSeconds(5));
      quick.awaitPendingRequests(1);

      // the reply could only come from the ledger, which is held: the wait fails, it does not hang
      assertThatThrownBy(() -> quick.await(reply))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Waited PT0.2S for a result; virtual time is 2025-12-05T14:30:00Z")
          .hasMessageContaining("2025-12-05T14:30:05Z"); // the request's timeout, due
      assertThatThrownBy(() -> quick.awaitPendingRequests(2))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("2 pending request(s) (pending: 1)");

      quick.advance(Duration.ofSeconds(5));
      assertThatThrownBy(() -> quick.await(reply)).isInstanceOf(RequestTimeoutException.class);
    }
  }

  private CompletableFuture<AgentMessage> nextBroadcast(MessageType type) {
    CompletableFuture<AgentMessage> next = new CompletableFuture<>();
    kit.bus().subscribeToBroadcasts(type, d -> next.complete(d.message()));
    return next;
  }
}
