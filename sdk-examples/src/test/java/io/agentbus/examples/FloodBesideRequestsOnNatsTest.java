package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flood on an agent's direct subject does not starve request/reply (issue 18): a plain jnats
 * client publishes 10,000 messages that are not valid envelopes to the agent's direct subject
 * within about one second, while 500 valid requests go to the same agent. Every request is
 * answered, no bad message reaches the handler, and every bad one is counted as a decode failure.
 * Prints a {@code SECURITY-FIGURES} line.
 */
@ExtendWith(NatsServerExtension.class)
class FloodBesideRequestsOnNatsTest {
  private static final int BAD = 10_000;
  private static final int REQUESTS = 500;

  private static final class Target extends AbstractAgent {
    final AtomicInteger handled = new AtomicInteger();

    Target(AgentContext context) {
      super("target-001", context);
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.QUESTION, MessageType.ANSWER, request -> {
        handled.incrementAndGet();
        return Map.of("n", request.content().get("n"));
      });
    }
  }

  @Test
  void allRequestsAreAnsweredDuringAFloodOfBadMessages(NatsServer server) throws Exception {
    MessageBus agentBus = bus(server, "flood-target");
    MessageBus callerBus = bus(server, "flood-caller");
    Target target = new Target(AgentContext.of(agentBus));
    target.startAsync().awaitRunning(Duration.ofSeconds(30));
    try (Connection attacker = Nats.connect(server.url())) {
      byte[] bad = "{\"from_agent\": \"x\", \"message_type\": ".getBytes(StandardCharsets.UTF_8);
      List<CompletableFuture<AgentMessage>> answers = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int ms = 0; ms < 1000; ms++) {
        for (int i = 0; i < BAD / 1000; i++) {
          attacker.publish("orchestrator.agent.target-001.question", bad);
        }
        if (ms % 2 == 0) {
          answers.add(callerBus.endpoint("caller-001").requestAsync("target-001",
              MessageType.QUESTION, Map.of("n", String.valueOf(ms / 2)), Duration.ofSeconds(10)));
        }
        long due = t0 + TimeUnit.MILLISECONDS.toNanos(ms + 1);
        while (System.nanoTime() < due) {
          Thread.onSpinWait(); // pace the burst over one second
        }
      }
      attacker.flush(Duration.ofSeconds(10));
      int answered = 0;
      int failed = 0;
      for (int i = 0; i < answers.size(); i++) {
        try {
          AgentMessage reply = answers.get(i).get(30, TimeUnit.SECONDS);
          assertThat(reply.content()).containsEntry("n", String.valueOf(i));
          answered++;
        } catch (ExecutionException e) {
          failed++;
        }
      }
      long burstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long decodeFailures = agentBus.stats().decodeFailures();
      System.out.println("SECURITY-FIGURES scenario=flood-beside-requests attempted=" + BAD
          + " refused=" + decodeFailures + " leaked=" + (target.handled.get() - answered)
          + " requests=" + REQUESTS + " answered=" + answered + " failed=" + failed
          + " dropped=" + agentBus.transportStats().dropped() + " millis=" + burstMillis);
      assertThat(answers).hasSize(REQUESTS);
      assertThat(answered).as("requests answered during the flood").isEqualTo(REQUESTS);
      assertThat(target.handled.get()).as("only valid requests reach the handler")
          .isEqualTo(REQUESTS);
    } finally {
      target.stopAsync().awaitTerminated(Duration.ofSeconds(30));
      agentBus.close();
      callerBus.close();
    }
  }

  private static MessageBus bus(NatsServer server, String name) {
    return MessageBus.builder().transport(NatsTransport.connect(NatsTransportConfig.builder()
        .servers(server.url()).connectionName(name).build())).codec(JsonCodec.create()).build();
  }
}
