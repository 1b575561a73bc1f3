package io.agentbus.transport.nats.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agentbus.AgentMessage;
import io.agentbus.HistoryOptions;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.QueueOptions;
import io.agentbus.QueueReceipt;
import io.agentbus.ReplayResult;
import io.agentbus.ReplayStart;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable queue under least privilege, on a real nats-server with JetStream configured only from
 * {@link NatsAuthorization}'s output: the queue's publisher stores items and its worker takes,
 * handles and acks them; an identity with no role on the queue cannot look its stream up, pull
 * from its consumer or ack its items.
 */
class NatsJetStreamLeastPrivilegeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final JetStreamOptions QUICK = JetStreamOptions.builder()
      .requestTimeout(Duration.ofSeconds(1)).build();

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @TempDir
  static Path keys;

  static NatsAuthorization auth;
  static NatsServer server;

  @BeforeAll
  static void startAJetStreamServerFromTheGeneratedAuthorization() throws Exception {
    auth = NatsAuthorization.derive("orchestrator", List.of(
        AgentRole.builder("worker").agents(List.of("builder-1")).works(List.of("build")).build(),
        AgentRole.builder("publisher").agents(List.of("planner-1")).publishes(List.of("build"))
            .sends(List.of("task_complete")).build(),
        AgentRole.builder("reader").agents(List.of("auditor-1")).replays(List.of("broadcasts"))
            .build(),
        AgentRole.builder("outsider").agents(List.of("outsider-1")).build()), keys);
    server = nats.startServer(NatsServerSpec.builder().jetStream(true)
        .config(auth.serverConfig()).build());
    auth.writeTo(keys);
  }

  static MessageBus bus(String identity) {
    return MessageBus.builder().transport(transport(identity))
        .codec(JsonCodec.create())
        .queue("build", QueueOptions.durable().ackWait(Duration.ofSeconds(2)).build())
        .build();
  }

  static AgentMessage item(int n) {
    return AgentMessage.builder().fromAgent("planner-1").messageType(MessageType.TASK_ASSIGNMENT)
        .content(Map.of("item", n)).timestamp(Instant.parse("2026-12-06T21:00:00Z")).build();
  }

  @Test
  void theQueuesPublisherAndWorkerRunAndAnOutsiderCannotTouchItsStream() throws Exception {
    String stream = auth.queueStream("build");
    try (MessageBus publisher = bus("publisher"); MessageBus worker = bus("worker")) {
      List<String> denied = new CopyOnWriteArrayList<>();
      publisher.addConnectionListener(e -> keepDenials(e, denied));
      worker.addConnectionListener(e -> keepDenials(e, denied));
      QueueReceipt stored = publisher.publishToQueue("build", item(1), "build-1");
      assertThat(stored.stored()).isTrue();
      assertThat(stored.stream()).isEqualTo(stream);

      BlockingQueue<Object> handled = new LinkedBlockingQueue<>();
      worker.createWorkQueue("build", d -> handled.add(d.message().content().get("item")), 1);
      assertThat(handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1L);
      publisher.publishToQueue("build", item(2), "build-2");
      assertThat(handled.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2L);
      // acked, not redelivered: the worker's stats say so once the acks are through
      Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        assertThat(worker.queueStats("build").handled()).isEqualTo(2);
        assertThat(worker.queueStats("build").ackFailures()).isZero();
      });
      assertThat(handled.poll(3, TimeUnit.SECONDS)).as("an item came again: not acked").isNull();
      assertThat(denied).as("what the server refused the queue's own roles").isEmpty();

      // an item waits in the stream for the outsider to try
      publisher.publishToQueue("build", item(3), "build-3");
      worker.close();
      List<String> violations = outsiderTries(stream);
      SecurityFigures.print("durable-queue-outsider", 4, Math.min(4, violations.size()),
          Math.max(0, 4 - violations.size()));
      assertThat(violations).hasSizeGreaterThanOrEqualTo(4);
      assertThat(String.join("\n", violations)).contains("$JS.API.STREAM.INFO." + stream)
          .contains("$JS.API.CONSUMER.MSG.NEXT." + stream + ".workers")
          .contains("$JS.ACK." + stream + ".workers")
          .contains("$JS.API.CONSUMER.CREATE." + stream);
    }
  }

  @Test
  void aHistoryReaderReplaysKeptBroadcastsAndAnOutsiderCannot() throws Exception {
    HistoryOptions kept = HistoryOptions.keepFor(Duration.ofMinutes(5)).build();
    try (MessageBus reader = MessageBus.builder().transport(transport("reader"))
            .codec(JsonCodec.create()).keepBroadcasts(kept).build();
        MessageBus publisher = bus("publisher")) {
      for (int i = 0; i < 3; i++) {
        publisher.endpoint("planner-1").broadcast(MessageType.TASK_COMPLETE, Map.of("n", i));
      }
      publisher.flush(WAIT);
      List<Object> replayed = new CopyOnWriteArrayList<>();
      Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        replayed.clear();
        ReplayResult r = reader.replay("orchestrator.broadcast.task_complete",
            ReplayStart.beginning(), d -> replayed.add(d.message().content().get("n")))
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.delivered()).isEqualTo(3);
      });
      assertThat(replayed).containsExactly(0L, 1L, 2L);

      // the outsider keeps no history of its own and reads none of the reader's
      int refused = 0;
      Throwable keep = catchThrowable(() -> MessageBus.builder().transport(transport("outsider"))
          .codec(JsonCodec.create()).keepBroadcasts(kept).build().close());
      if (keep != null) {
        refused++;
      }
      List<String> violations = new CopyOnWriteArrayList<>();
      try (Connection c = Nats.connect(outsiderOptions(violations))) {
        Throwable read = catchThrowable(() -> c.jetStream(QUICK).subscribe(
            "orchestrator.broadcast.task_complete", PullSubscribeOptions.builder()
                .stream("orchestrator_broadcasts").build()));
        Awaitility.await().atMost(WAIT).until(() -> !violations.isEmpty());
        if (read != null) {
          refused++;
        }
      }
      SecurityFigures.print("history-outsider", 2, refused, 2 - refused);
      assertThat(keep).as("declaring the history as the outsider").isNotNull();
      assertThat(violations.get(0)).contains("orchestrator_broadcasts");
      assertThat(refused).isEqualTo(2);
    }
  }

  private static void keepDenials(ConnectionEvent e, List<String> denied) {
    if (e.kind() == ConnectionEvent.Kind.ERROR && e.detail().contains("ermission")) {
      denied.add(e.detail());
    }
  }

  private static NatsTransport transport(String identity) {
    return NatsTransport.connect(NatsTransportConfig.builder().servers(server.url())
        .nkeySeedFile(keys.resolve(identity + ".nk")).connectionName(identity)
        .connectTimeout(Duration.ofSeconds(5)).build());
  }

  private static Options outsiderOptions(List<String> violations) {
    return new Options.Builder().server(server.url())
        .authHandler(Nats.staticCredentials(null, auth.seed("outsider")))
        .inboxPrefix(auth.inboxPrefix("outsider"))
        .errorListener(new ErrorListener() {
          @Override
          public void errorOccurred(Connection conn, String error) {
            if (error.contains("Permissions Violation")) {
              violations.add(error);
            }
          }
        }).build();
  }

  /** What an identity with no role on the queue tries; returns the server's refusals. */
  private static List<String> outsiderTries(String stream) throws Exception {
    List<String> violations = new CopyOnWriteArrayList<>();
    try (Connection c = Nats.connect(outsiderOptions(violations))) {
      JetStreamOptions quick = QUICK;
      // look the stream up
      assertThat(catchThrowable(() -> c.jetStreamManagement(quick).getStreamInfo(stream)))
          .isNotNull();
      // pull the waiting item from the queue's consumer
      String inbox = c.createInbox();
      Subscription replies = c.subscribe(inbox);
      c.publish("$JS.API.CONSUMER.MSG.NEXT." + stream + ".workers", inbox,
          "{\"batch\":1,\"expires\":500000000}".getBytes(StandardCharsets.UTF_8));
      // ack an item (as a worker would, with the delivery's reply subject)
      c.publish("$JS.ACK." + stream + ".workers.1.3.3.1765054800000000000.0", null);
      // make a consumer of its own on the stream
      assertThat(catchThrowable(() -> c.jetStream(quick).subscribe("orchestrator.queue.build",
          PullSubscribeOptions.builder().stream(stream).build())))
          .isNotNull();
      c.flush(WAIT);
      assertThat(replies.nextMessage(Duration.ofSeconds(1))).as("an item leaked").isNull();
      Awaitility.await().atMost(WAIT).until(() -> violations.size() >= 4);
    }
    return violations;
  }
}
