package io.agentbus.interop;

import static io.agentbus.MessageType.RESOURCE_REQUEST;
import static io.agentbus.MessageType.RESOURCE_RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.interop.PythonPeer.Run;
import io.agentbus.security.NKeys;
import io.agentbus.test.nats.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed messages with a peer no one here wrote the crypto of: the Python agent
 * ({@code tests/test_signed_with_java.py}, PyNaCl) signs a request that this Java architect,
 * configured as a user would ({@code agentbus.security.signing=require}, a trusted-keys file, a
 * seed file), serves with a signed reply the Python side verifies; a request signed by an
 * untrusted key and an unsigned one never reach the handler.
 */
class PythonSignedInteropTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static PythonPeer python;

  @BeforeAll
  static void locatePython() {
    python = PythonPeer.locate();
  }

  static String seed(int first) {
    byte[] raw = new byte[32];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (first + i);
    }
    return NKeys.encodeSeed(raw);
  }

  @Test
  void aRequestSignedInPythonIsServedAndForgedOnesAreRefused(@TempDir Path dir) throws Exception {
    Path trusted = dir.resolve("trusted-keys");
    Files.writeString(trusted, "# agent id = public NKey\n"
        + "parser-dev-001 = " + NKeys.fromSeed(seed(0)).publicNKey() + "\n"
        + "architect-001 = " + NKeys.fromSeed(seed(100)).publicNKey() + "\n");
    Path seedFile = dir.resolve("architect.seed");
    Files.writeString(seedFile, seed(100) + "\n");
    AgentBusConfig config = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", nats.url(),
        "agentbus.security.signing", "require",
        "agentbus.security.trusted-keys", trusted.toString(),
        "agentbus.security.seed-file", seedFile.toString()));
    List<AgentMessage> served = Collections.synchronizedList(new ArrayList<>());
    try (MessageBus bus = config.newMessageBus()) {
      ScriptedAgent architect = new ScriptedAgent("architect-001",
          AgentContext.builder(bus).shutdownHook(false).build(),
          h -> h.onRequest(RESOURCE_REQUEST, RESOURCE_RESPONSE, m -> {
            served.add(m);
            return Map.of("status", "ready");
          }));
      architect.startAsync();
      architect.awaitRunning(WAIT);
      try (Run py = python.start("test_signed_with_java.py", nats.url())) {
        py.await("DONE", WAIT);
        py.awaitPassed(1, WAIT);
      } finally {
        architect.stopAsync();
        architect.awaitTerminated(WAIT);
      }
      assertThat(served).hasSize(1);
      assertThat(served.get(0).correlationId()).isEqualTo("parser-dev-001-1733409130004-1");
      assertThat(bus.stats().refused()).isEqualTo(2);
      assertThat(config.signing().orElseThrow().refusals())
          .containsEntry("altered", 1L).containsEntry("unsigned", 1L);
      System.out.println("SECURITY-FIGURES scenario=python-signed-interop attempted=2 refused="
          + bus.stats().refused() + " leaked=" + (served.size() - 1));
    }
  }
}
