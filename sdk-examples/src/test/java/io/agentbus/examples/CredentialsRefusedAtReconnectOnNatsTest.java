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
import io.agentbus.micrometer.AgentBusMetrics;
import io.agentbus.test.Conditions;
import io.agentbus.test.nats.NatsProcess;
import io.agentbus.test.nats.NatsServerSpec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.NKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose credentials the server stops accepting (its key rotated on the server, which is
 * then restarted, forcing a reconnect) on a real nats-server: it stays RUNNING but says it is not
 * serving, with the reason, in {@link Agent#health()} and the {@code
 * agentbus.transport.credentials.refused} gauge; replacing its seed file brings the same agent,
 * in the same JVM, back to serving; if nobody fixes the file, jnats gives up and the agent FAILS.
 */
class CredentialsRefusedAtReconnectOnNatsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private NKey oldKey;
  private NKey newKey;
  private NKey callerKey;
  private Path seedFile;
  private NatsProcess server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static final class Worker extends AbstractAgent {
    Worker(AgentContext context) {
      super("worker-1", context);
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.QUESTION, MessageType.ANSWER,
          request -> Map.of("echo", request.content().get("n")));
    }
  }

  @BeforeEach
  void start() throws Exception {
    oldKey = NKey.createUser(null);
    newKey = NKey.createUser(null);
    callerKey = NKey.createUser(null);
    seedFile = dir.resolve("worker.nk");
    writeSeed(oldKey);
    server = NatsProcess.create("credentials-at-reconnect", users(oldKey, callerKey));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aRefusedAgentIsNotServingUntilItsSeedFileIsReplaced() throws Exception {
    try (MessageBus workerBus = workerBus(); MessageBus callerBus = callerBus()) {
      Worker worker = new Worker(AgentContext.of(workerBus));
      worker.startAsync().awaitRunning(WAIT);
      assertThat(worker.health()).isEqualTo(Agent.Health.SERVING);
      assertThat(ask(callerBus, "before")).isEqualTo("before");

      // the operator rotates the key on the server first, and restarts it
      server.reconfigure(users(newKey, callerKey));
      server.restart();
      Conditions.await(() -> String.valueOf(worker.health().reason())
          .contains("Authorization Violation"), WAIT,
          "the worker reports that it is not serving");
      assertThat(worker.state()).isEqualTo(Agent.State.RUNNING);
      assertThat(worker.health().reason())
          .contains("the server refused the credentials at reconnect")
          .contains("agentbus.nats.nkey-seed-file").contains(seedFile.toString())
          .doesNotContain(new String(oldKey.getSeed()));
      assertThat(refusedGauge()).isEqualTo(1);

      // then replaces the seed file: the same agent in the same JVM serves again
      writeSeed(newKey);
      Conditions.await(() -> worker.health().serving(), WAIT,
          "the worker serves again");
      assertThat(worker.state()).isEqualTo(Agent.State.RUNNING);
      assertThat(refusedGauge()).isZero();
      assertThat(ask(callerBus, "after")).isEqualTo("after");
      worker.stopAsync().awaitTerminated(WAIT);
    }
  }

  @Test
  void whenNobodyFixesTheCredentialsTheConnectionClosesAndTheAgentFails() throws Exception {
    try (MessageBus workerBus = workerBus()) {
      Worker worker = new Worker(AgentContext.of(workerBus));
      worker.startAsync().awaitRunning(WAIT);
      server.reconfigure(users(newKey, callerKey));
      server.restart();
      long t0 = System.nanoTime();
      Conditions.await(() -> String.valueOf(worker.health().reason())
          .contains("Authorization Violation"), WAIT, "the worker reports the refusal");
      long refusedAt = System.nanoTime();
      Conditions.await(() -> worker.state() == Agent.State.FAILED, WAIT,
          "the worker fails");
      long failedAt = System.nanoTime();
      assertThat(worker.failureCause()).hasMessageContaining("closed for good")
          .hasMessageContaining("refused the credentials again")
          .hasMessageContaining("Authorization Violation");
      assertThat(worker.health().serving()).isFalse();
      System.out.println("SECURITY-FIGURES scenario=credentials-refused-at-reconnect attempted=1 "
          + "refused=1 leaked=0 not-serving-after-ms=" + (refusedAt - t0) / 1_000_000
          + " failed-after-ms=" + (failedAt - t0) / 1_000_000);
    }
  }

  private MessageBus workerBus() {
    return MessageBus.builder().transport(NatsTransport.connect(NatsTransportConfig.builder()
            .servers(server.url()).nkeySeedFile(seedFile).reconnectWait(Duration.ofMillis(250))
            .connectionName("worker").build()))
        .codec(JsonCodec.create()).addExtension(AgentBusMetrics.create(registry)).build();
  }

  private MessageBus callerBus() {
    return MessageBus.builder().transport(NatsTransport.connect(NatsTransportConfig.builder()
            .servers(server.url()).nkeySeed(new String(callerKey.getSeed()))
            .reconnectWait(Duration.ofMillis(250)).connectionName("caller").build()))
        .codec(JsonCodec.create()).build();
  }

  private static Object ask(MessageBus bus, String n) {
    AgentMessage reply = bus.endpoint("caller-1").request("worker-1", MessageType.QUESTION,
        Map.of("n", n), Duration.ofSeconds(10));
    return reply.content().get("echo");
  }

  private double refusedGauge() {
    return registry.get("agentbus.transport.credentials.refused").gauge().value();
  }

  private void writeSeed(NKey key) throws Exception {
    Files.writeString(seedFile, new String(key.getSeed()) + "\n", StandardCharsets.US_ASCII);
  }

  private static NatsServerSpec users(NKey... keys) throws Exception {
    StringBuilder b = new StringBuilder("authorization { users = [\n");
    for (NKey k : keys) {
      b.append("  { nkey: ").append(new String(k.getPublicKey())).append(" }\n");
    }
    return NatsServerSpec.builder().jetStream(false).config(b.append("] }\n").toString())
        .build();
  }
}
