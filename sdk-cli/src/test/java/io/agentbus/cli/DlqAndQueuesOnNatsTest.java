package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.test.nats.NatsServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dead letters and durable queues as an operator meets them: a worker on a real nats-server
 * (JetStream) fails items until they are dead-lettered; the commands list, show, replay and purge
 * them and count the queue.
 */
class DlqAndQueuesOnNatsTest {
  @RegisterExtension static final NatsServerExtension nats = NatsServerExtension.create();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void deadLettersAreListedReplayedOnceAcceptedAndPurged() throws Exception {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats", "agentbus.nats.url", nats.url(),
        "agentbus.shutdown-hook", "false",
        "agentbus.queue.tests.durable", "true",
        "agentbus.queue.tests.max-deliveries", "2",
        "agentbus.queue.tests.backoff", "100ms"));
    AtomicBoolean failing = new AtomicBoolean(true);
    BlockingQueue<Delivery> handled = new LinkedBlockingQueue<>();
    Cli cli = Cli.on(nats.url());
    try (MessageBus worker = config.newMessageBus()) {
      worker.createWorkQueue("tests", d -> {
        if (failing.get()) {
          throw new IllegalStateException("database down for " + d.message().content().get("test"));
        }
        handled.add(d);
      }, 1);

      for (String test : List.of("t-1", "t-2", "t-3")) {
        Cli.Result sent = cli.run("send", "queue:tests", "task_assignment", "test=" + test);
        assertThat(sent.exitCode()).as(sent.err()).isZero();
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(JSON.readTree(cli.run("dlq", "list", "--json").out())).hasSize(3));

      // queues: the depth is back to 0, three dead-lettered
      Cli.Result queues = cli.run("queues", "--json");
      assertThat(queues.exitCode()).as(queues.err()).isZero();
      JsonNode q = JSON.readTree(queues.out()).get(0);
      assertThat(q.get("queue").asText()).isEqualTo("tests");
      assertThat(q.get("stream").asText()).isEqualTo("orchestrator_queue_tests");
      assertThat(q.get("depth").asLong()).isZero();
      assertThat(q.get("pending_acks").asLong()).isZero();
      assertThat(q.get("dead_lettered").asLong()).isEqualTo(3);
      assertThat(cli.run("queues").out()).containsPattern("tests +orchestrator_queue_tests +0 ");

      // list and show: error and original subject
      JsonNode list = JSON.readTree(cli.run("dlq", "list", "--json").out());
      JsonNode first = list.get(0);
      assertThat(first.get("original_subject").asText()).isEqualTo("orchestrator.queue.tests");
      assertThat(first.get("error").asText()).contains("database down for t-1");
      assertThat(first.get("delivery_count").asText()).isEqualTo("2");
      assertThat(first.get("message").get("content").get("test").asText()).isEqualTo("t-1");
      long seq1 = first.get("seq").asLong();
      assertThat(cli.run("dlq", "list").out())
          .contains("orchestrator.queue.tests", "agentbus-cli task_assignment", "database down");
      assertThat(cli.run("dlq", "show", Long.toString(seq1)).out())
          .contains("\"error\" : \"", "database down for t-1");

      // replay one once the cause is fixed: stored by the queue's stream, handled, removed
      failing.set(false);
      Cli.Result replay = cli.run("dlq", "replay", Long.toString(seq1));
      assertThat(replay.exitCode()).as(replay.err()).isZero();
      assertThat(replay.out().strip()).startsWith("#" + seq1 + " stored -> orchestrator.queue.tests"
          + " (stored in orchestrator_queue_tests #").endsWith("; removed from dead letters");
      Delivery d = handled.poll(10, TimeUnit.SECONDS);
      assertThat(d).isNotNull();
      assertThat(d.message().content()).containsEntry("test", "t-1");
      assertThat(d.headers().first(DeadLetterStore.REPLAY_HEADER))
          .isEqualTo("orchestrator_deadletter/" + seq1);
      assertThat(JSON.readTree(cli.run("dlq", "list", "--json").out())).hasSize(2);

      // --keep replays and keeps; a missing one is reported, not invented
      long seq2 = list.get(1).get("seq").asLong();
      Cli.Result kept = cli.run("dlq", "replay", "--keep", "--json", Long.toString(seq2), "999");
      assertThat(kept.exitCode()).isEqualTo(ExitCode.PARTIAL);
      List<JsonNode> outcomes = kept.out().lines().map(l -> {
        try {
          return JSON.readTree(l);
        } catch (Exception e) {
          throw new AssertionError(l, e);
        }
      }).toList();
      assertThat(outcomes.get(0).get("outcome").asText()).isEqualTo("stored");
      assertThat(outcomes.get(0).get("removed").asBoolean()).isFalse();
      assertThat(outcomes.get(1).get("outcome").asText()).isEqualTo("not found");
      assertThat(handled.poll(10, TimeUnit.SECONDS).message().content()).containsEntry("test", "t-2");
      assertThat(JSON.readTree(cli.run("dlq", "list", "--json").out())).hasSize(2);

      // purge
      Cli.Result purge = cli.run("dlq", "purge", "--all");
      assertThat(purge.exitCode()).as(purge.err()).isZero();
      assertThat(purge.out()).contains("removed 2 dead letter(s) from orchestrator_deadletter");
      assertThat(JSON.readTree(cli.run("dlq", "list", "--json").out())).isEmpty();
      assertThat(cli.run("dlq", "show", Long.toString(seq2)).exitCode())
          .isEqualTo(ExitCode.NOT_FOUND);
    }
  }

  @Test
  void queuesCountsWhatTheServerHoldsWaitsAndAwaitsAcknowledgementOf() throws Exception {
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats", "agentbus.nats.url", nats.url(),
        "agentbus.shutdown-hook", "false", "agentbus.namespace", "counted",
        "agentbus.queue.jobs.durable", "true", "agentbus.queue.jobs.ack-wait", "1m"));
    Cli cli = Cli.on(nats.url()).with("AGENTBUS_NAMESPACE", "counted");
    try (MessageBus bus = config.newMessageBus()) {
      for (int i = 1; i <= 5; i++) {
        bus.endpoint("feeder").publishToQueue("jobs", MessageType.TASK_ASSIGNMENT, Map.of("n", i));
      }
      JsonNode before = JSON.readTree(cli.run("queues", "--json").out()).get(0);
      assertThat(before.get("depth").asLong()).isEqualTo(5);
      assertThat(before.get("pending_acks").isNull()).as("no worker yet: %s", before).isTrue();

      // two workers each take one item and hold it (a worker pulls one at a time until its
      // handler proves fast): the server counts both as delivered and not acknowledged, and the
      // other three as waiting
      CountDownLatch taken = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      bus.createWorkQueue("jobs", d -> {
        taken.countDown();
        release.await(1, TimeUnit.MINUTES);
      }, 2);
      assertThat(taken.await(20, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        JsonNode q = JSON.readTree(cli.run("queues", "--json").out()).get(0);
        assertThat(List.of(q.get("depth").asLong(), q.get("waiting").asLong(),
            q.get("pending_acks").asLong(), q.get("redelivered").asLong()))
            .as("depth, waiting, pending acks, redelivered").containsExactly(5L, 3L, 2L, 0L);
      });
      release.countDown();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(cli.run("queues").out()).containsPattern("jobs +counted_queue_jobs +0 +0 "));
    }
  }

  @Test
  void withoutAKeptDeadLetterStreamTheCommandSaysHowToGetOne() {
    Cli.Result r = Cli.on(nats.url()).with("AGENTBUS_NAMESPACE", "plain").run("dlq", "list");

    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.err().strip()).doesNotContain("\n")
        .startsWith("agentbus: No stream keeps the dead letters of plain.deadletter")
        .contains("durable queue");
    assertThat(Cli.on(nats.url()).with("AGENTBUS_NAMESPACE", "plain").run("queues").exitCode())
        .isEqualTo(ExitCode.NOT_FOUND);
  }
}
