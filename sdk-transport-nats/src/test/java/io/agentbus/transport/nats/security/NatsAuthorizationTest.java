package io.agentbus.transport.nats.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator on its own: what it derives, writes, keeps and refuses. */
class NatsAuthorizationTest {
  @TempDir
  Path dir;

  @Test
  void derivesTheAllowListsFromTheRoles() {
    AgentRole role = AgentRole.builder("host").agents(List.of("a1", "a2")).teams(List.of("qa"))
        .works(List.of("jobs")).publishes(List.of("reports")).sends(List.of("task_complete"))
        .listens(List.of("blocker")).talksTo(List.of("boss")).build();
    NatsAuthorization auth = NatsAuthorization.derive("acme.prod", List.of(role), dir);
    String inbox = auth.inboxPrefix("host");
    assertThat(auth.subscribeAllow("host")).containsExactly("acme.prod.agent.a1.*",
        "acme.prod.agent.a2.*", "acme.prod.team.qa.*", "acme.prod.queue.jobs",
        "acme.prod.broadcast.blocker", inbox + ".>", "$SRV.PING", "$SRV.INFO", "$SRV.STATS",
        "$SRV.*.a1", "$SRV.*.a1.*", "$SRV.*.a2", "$SRV.*.a2.*");
    assertThat(auth.publishAllow("host")).containsExactly("acme.prod.agent.boss.*",
        "acme.prod.team.qa.*", "acme.prod.queue.reports",
        "$JS.API.STREAM.INFO.acme_prod_queue_jobs", "$JS.API.STREAM.CREATE.acme_prod_queue_jobs",
        "$JS.API.STREAM.UPDATE.acme_prod_queue_jobs",
        "$JS.API.STREAM.INFO.acme_prod_queue_reports",
        "$JS.API.STREAM.CREATE.acme_prod_queue_reports",
        "$JS.API.STREAM.UPDATE.acme_prod_queue_reports",
        "$JS.API.CONSUMER.CREATE.acme_prod_queue_jobs.workers",
        "$JS.API.CONSUMER.CREATE.acme_prod_queue_jobs.workers.>",
        "$JS.API.CONSUMER.DURABLE.CREATE.acme_prod_queue_jobs.workers",
        "$JS.API.CONSUMER.INFO.acme_prod_queue_jobs.workers",
        "$JS.API.CONSUMER.MSG.NEXT.acme_prod_queue_jobs.workers",
        "$JS.ACK.acme_prod_queue_jobs.workers.>",
        "$JS.API.STREAM.INFO.acme_prod_deadletter", "$JS.API.STREAM.CREATE.acme_prod_deadletter",
        "$JS.API.STREAM.UPDATE.acme_prod_deadletter",
        "acme.prod.broadcast.heartbeat",
        "acme.prod.broadcast.status_update", "acme.prod.broadcast.task_complete",
        "acme.prod.deadletter", "$SRV.PING.a1", "$SRV.PING.a2", inbox + ".>");
    assertThat(auth.serverConfig()).contains("nkey: \"" + auth.publicKey("host") + "\"")
        .contains("allow_responses: true").doesNotContain(new String(auth.seed("host")));
  }

  @Test
  void writesOwnerOnlySeedsAndKeepsThemWhenRegenerated() throws Exception {
    List<AgentRole> roles = List.of(AgentRole.builder("one").agents(List.of("x")).build());
    NatsAuthorization first = NatsAuthorization.derive("orchestrator", roles, dir);
    first.writeTo(dir);
    assertThat(Files.getPosixFilePermissions(dir.resolve("one.nk")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    NatsAuthorization again = NatsAuthorization.derive("orchestrator", roles, dir);
    assertThat(again.publicKey("one")).isEqualTo(first.publicKey("one"));
  }

  @Test
  void refusesRolesThatDoNotAddUp() {
    assertThatThrownBy(() -> NatsAuthorization.derive("orchestrator", List.of(
        AgentRole.builder("one").agents(List.of("x")).build(),
        AgentRole.builder("two").agents(List.of("x")).build()), dir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'x' is served by both 'one' and 'two'");
    assertThatThrownBy(() -> AgentRole.builder("one").agents(List.of("bad id")).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'bad id'");
    Properties p = new Properties();
    p.setProperty("identities", "one");
    p.setProperty("identity.one.agents", "x");
    p.setProperty("identity.one.listen", "task_complete");
    assertThatThrownBy(() -> NatsAuthorization.readRoles(p))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("Unknown key 'identity.one.listen'");
  }

  @Test
  void theCommandWritesTheFilesOrSaysWhatIsWrong() throws Exception {
    Path roles = dir.resolve("roles.properties");
    Files.writeString(roles, "identities = one\nidentity.one.agents = x\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = NatsAuthorization.run(new String[] {roles.toString(), dir.resolve("out")
        .toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    assertThat(dir.resolve("out/authorization.conf")).exists();
    assertThat(dir.resolve("out/one.env")).exists();
    Files.writeString(roles, "identities = one\n");
    code = NatsAuthorization.run(new String[] {roles.toString(), dir.resolve("out2")
        .toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("serves no agent");
  }
}
