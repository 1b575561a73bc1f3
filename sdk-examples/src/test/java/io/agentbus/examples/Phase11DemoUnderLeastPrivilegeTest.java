package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentbus.Headers;
import io.agentbus.PermissionDeniedException;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import io.agentbus.transport.nats.security.AgentRole;
import io.agentbus.transport.nats.security.NatsAuthorization;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's Phase 1.1 flow on a nats-server configured only from {@link NatsAuthorization}'s
 * output for {@code phase11-roles.properties}: the demo runs under its NKey identity, with its
 * own inbox prefix and no right beyond its roles, and an outsider with an identity of its own
 * can neither listen in nor inject work.
 */
class Phase11DemoUnderLeastPrivilegeTest {
  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @TempDir
  Path keys;

  @Test
  void anAgentWhoseDirectSubjectIsDeniedFailsAtStartWithTheReason() throws Exception {
    NatsAuthorization auth = NatsAuthorization.derive("orchestrator",
        List.of(AgentRole.builder("outsider").agents(List.of("outsider-1")).build()), keys);
    auth.writeTo(keys);
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(auth.serverConfig()).build());
    io.agentbus.agent.config.AgentBusConfig config = Phase11DemoTest.demoConfig(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", server.url(),
        "agentbus.nats.nkey-seed-file", keys.resolve("outsider.nk").toString()));
    io.agentbus.MessageBus bus = config.newMessageBus();
    try (io.agentbus.agent.AgentHost host = config.newAgentHost(bus)) {
      // the outsider's process tries to serve architect-001, which its role does not include
      Architect architect = new Architect(config.agentContextBuilder(bus).build(),
          new FlowLog(new PrintStream(new ByteArrayOutputStream(), true,
              StandardCharsets.UTF_8)));
      Throwable startFailure = org.assertj.core.api.Assertions.catchThrowable(
          () -> host.start(Duration.ofSeconds(15), architect));
      assertThat(startFailure).as("host.start should fail").isNotNull();
      assertThat(architect.state()).isEqualTo(io.agentbus.Agent.State.FAILED);
      // its first step outside the role fails it: the duplicate-id check or the subscription
      assertThat(architect.failureCause()).isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("architect-001");
      System.out.println("SECURITY-FIGURES scenario=agent-start-with-denied-subject "
          + "attempted=1 refused=1 leaked=0");
    }
  }

  @Test
  void theFlowRunsUnderLeastPrivilegeAndAnOutsiderGetsNothing() throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of("phase11-roles.properties"))) {
      p.load(in);
    }
    List<AgentRole> roles = new ArrayList<>(NatsAuthorization.readRoles(p));
    roles.add(AgentRole.builder("outsider").agents(List.of("outsider-1")).build());
    NatsAuthorization auth = NatsAuthorization.derive("orchestrator", roles, keys);
    auth.writeTo(keys);
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(auth.serverConfig()).build());

    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    Phase11Demo.DemoReport report = new Phase11Demo(Phase11DemoTest.demoConfig(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", server.url(),
        "agentbus.nats.nkey-seed-file", keys.resolve("demo-host.nk").toString())),
        new PrintStream(buffer, true, StandardCharsets.UTF_8), Duration.ofMillis(20)).run();
    Phase11DemoTest.assertFlow(report, buffer.toString(StandardCharsets.UTF_8));

    try (NatsTransport outsider = NatsTransport.connect(NatsTransportConfig.builder()
        .servers(server.url()).nkeySeedFile(keys.resolve("outsider.nk")).build())) {
      List<String> snoops = List.of("orchestrator.agent.architect-001.*",
          "orchestrator.broadcast.task_complete", "orchestrator.queue.test_execution",
          auth.inboxPrefix("demo-host") + ".>", "_INBOX.>", ">");
      int refused = 0;
      for (String s : snoops) {
        if (catchThrowableOfType(PermissionDeniedException.class,
            () -> outsider.subscribe(s, null, m -> { })) != null) {
          refused++;
        }
      }
      outsider.publish("orchestrator.queue.test_execution", null, Headers.empty(),
          "{}".getBytes(StandardCharsets.UTF_8));
      outsider.flush(Duration.ofSeconds(5));
      boolean injectRefused = catchThrowableOfType(PermissionDeniedException.class,
          () -> outsider.publish("orchestrator.queue.test_execution", null, Headers.empty(),
              "{}".getBytes(StandardCharsets.UTF_8))) != null;
      int attempted = snoops.size() + 1;
      int refusedAll = refused + (injectRefused ? 1 : 0);
      System.out.println("SECURITY-FIGURES scenario=phase11-outsider attempted=" + attempted
          + " refused=" + refusedAll + " leaked=" + (attempted - refusedAll));
      assertThat(refused).isEqualTo(snoops.size());
      assertThat(injectRefused).isTrue();
    }
  }
}
