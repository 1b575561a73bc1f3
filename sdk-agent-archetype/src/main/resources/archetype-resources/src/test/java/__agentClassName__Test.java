package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.RemoteHandlerException;
import io.agentbus.agent.AgentContext;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.VirtualTimeExtension;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ${agentClassName} on the in-memory transport, the way other agents see it: through the bus. Time is
 * virtual: it moves only when a test calls {@code time.advance(...)}, so the heartbeat test covers
 * five minutes in milliseconds.
 */
@ExtendWith(VirtualTimeExtension.class)
class ${agentClassName}Test {
  /** A guard against a hang, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final VirtualScheduler time;
  private MessageBus bus;
  private ${agentClassName} agent;

  ${agentClassName}Test(VirtualScheduler time) {
    this.time = time;
  }

  @BeforeEach
  void setUp() {
    bus = MessageBus.builder()
        .transport(InMemoryTransport.create())
        .codec(JsonCodec.create())
        .scheduler(time)
        .build();
    agent = new ${agentClassName}(AgentContext.builder(bus).scheduler(time).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    agent.stopAsync().awaitTerminated(WAIT);
    bus.close();
  }

  @Test
  void answersAResourceRequestForItsResource() throws Exception {
    agent.startAsync().awaitRunning(WAIT);

    AgentMessage reply = bus.endpoint("parser-dev-001").request(${agentClassName}.ID,
        MessageType.RESOURCE_REQUEST, Map.of("resource", ${agentClassName}.RESOURCE), WAIT);

    assertThat(reply.messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
    assertThat(reply.fromAgent()).isEqualTo(${agentClassName}.ID);
    assertThat(reply.toAgent()).isEqualTo("parser-dev-001");
    assertThat(reply.correlationId()).startsWith("parser-dev-001-");
    assertThat(reply.content())
        .containsEntry("resource", ${agentClassName}.RESOURCE)
        .containsEntry("status", "ready");
  }

  @Test
  void aRequestForAnotherResourceFailsAtOnceWithTheReason() throws Exception {
    agent.startAsync().awaitRunning(WAIT);

    assertThatThrownBy(() -> bus.endpoint("parser-dev-001").request(${agentClassName}.ID,
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("does not own the resource 'task_model'");
  }

  @Test
  void anAssignedTaskIsBroadcastAsComplete() throws Exception {
    CompletableFuture<AgentMessage> complete = new CompletableFuture<>();
    bus.subscribeToBroadcasts(MessageType.TASK_COMPLETE, d -> complete.complete(d.message()));
    agent.startAsync().awaitRunning(WAIT);

    bus.endpoint("orchestrator-001").send(${agentClassName}.ID, MessageType.TASK_ASSIGNMENT,
        Map.of("task", "invoice-2025-12"));

    AgentMessage done = complete.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(done.fromAgent()).isEqualTo(${agentClassName}.ID);
    assertThat(done.toAgent()).isNull();
    assertThat(done.content())
        .containsEntry("task", "invoice-2025-12")
        .containsEntry("assigned_by", "orchestrator-001")
        .containsEntry("status", "done");
  }

  @Test
  void heartbeatsEveryThirtySecondsOfVirtualTime() throws Exception {
    BlockingQueue<AgentMessage> heartbeats = new LinkedBlockingQueue<>();
    bus.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> heartbeats.add(d.message()));
    Instant start = time.now();

    agent.startAsync().awaitRunning(WAIT);
    assertHeartbeatAt(heartbeats.poll(WAIT.toSeconds(), TimeUnit.SECONDS), start);

    // ten heartbeat periods, one step at a time: each heartbeat is published on the virtual
    // clock's thread and delivered on the transport's, so wait for each before moving on
    for (int i = 1; i <= 10; i++) {
      time.advance(Duration.ofSeconds(30));
      assertHeartbeatAt(heartbeats.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
          start.plusSeconds(30L * i));
    }
    assertThat(time.now()).isEqualTo(start.plus(Duration.ofMinutes(5)));
  }

  private static void assertHeartbeatAt(AgentMessage heartbeat, Instant expected) {
    assertThat(heartbeat).as("heartbeat due at %s", expected).isNotNull();
    assertThat(heartbeat.fromAgent()).isEqualTo(${agentClassName}.ID);
    assertThat(heartbeat.content()).containsEntry("status", "alive");
    // heartbeats arrive in order, so a heartbeat sent early or twice would show up here
    assertThat(heartbeat.timestamp()).isEqualTo(expected);
  }
}
