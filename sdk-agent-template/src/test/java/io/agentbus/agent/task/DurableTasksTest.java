package io.agentbus.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.MessageBus;
import io.agentbus.QueueOptions;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.Conditions;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryServer;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A task assigned through a durable work queue survives the death of its first worker: the queue
 * delivers it again after its ack wait, and the second worker's reports say it is attempt 2. In
 * memory, in virtual time; each "process" has its own transport to one server.
 */
@ExtendWith(VirtualTimeExtension.class)
class DurableTasksTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String QUEUE = "reviews";

  private VirtualScheduler time;
  private InMemoryServer server;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final CountDownLatch never = new CountDownLatch(1);

  @BeforeEach
  void setUp(VirtualScheduler time) {
    this.time = time;
    server = InMemoryServer.builder().scheduler(time).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    never.countDown();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private MessageBus process() {
    MessageBus bus = MessageBus.builder().transport(InMemoryTransport.connectTo(server))
        .codec(JsonCodec.create()).scheduler(time)
        .queue(QUEUE, QueueOptions.durable().ackWait(Duration.ofSeconds(30)).build()).build();
    closing.add(0, bus);
    return bus;
  }

  @Test
  void aTaskWhoseWorkerDiesIsPickedUpAgainWithItsAttemptCounted() throws Exception {
    MessageBus first = process();
    CountDownLatch firstStarted = new CountDownLatch(1);
    Tasks dying = Tasks.builder(first, "worker-a").serveQueue(QUEUE, 1).handler(task -> {
      firstStarted.countDown();
      never.await(); // the process dies before this task ends
      return Map.of();
    }).build().listen();
    MessageBus requesterBus = process();
    Tasks requester = Tasks.builder(requesterBus, "orchestrator").build().listen();
    closing.add(0, requester);

    TaskHandle h = requester.assignToQueue(QUEUE, Map.of("file", "parser.py"),
        TaskOptions.builder().timeout(Duration.ofMinutes(5)).build(), null);
    assertThat(firstStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await(() -> h.state() == TaskState.WORKING && h.assignee().equals("worker-a"));
    assertThat(h.attempts()).isEqualTo(1);

    first.close(); // worker-a's process is gone, without a word and without acknowledging
    MessageBus second = process();
    Tasks replacement = Tasks.builder(second, "worker-b").serveQueue(QUEUE, 1)
        .handler(task -> Map.of("attempt", (long) task.attempt(),
            "file", task.input().get("file"))).build().listen();
    closing.add(0, replacement);

    time.advance(Duration.ofSeconds(31)); // past the ack wait: the item comes back
    TaskOutcome o = h.outcome().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(o.result()).isEqualTo(Map.of("attempt", 2L, "file", "parser.py"));
    assertThat(o.assignee()).isEqualTo("worker-b");
    assertThat(h.attempts()).isEqualTo(2);
    dying.close();
  }

  private static void await(BooleanSupplier condition) throws Exception {
    Conditions.await(condition, WAIT, "the condition this test waits for");
  }
}
