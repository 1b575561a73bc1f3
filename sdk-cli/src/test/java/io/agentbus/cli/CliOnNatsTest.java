package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a user runs them: against a real nats-server, with agents running in their own
 * bus (their own connection), output and exit codes asserted.
 */
class CliOnNatsTest {
  @RegisterExtension static final NatsServerExtension nats = NatsServerExtension.create();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static AgentHost host;
  private static Cli cli;

  static final class Architect extends AbstractAgent {
    Architect(AgentContext context) {
      super(context);
    }

    @Override
    public String id() {
      return "architect-001";
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
          r -> Map.of("resource", String.valueOf(r.content().get("resource")), "status", "ready"));
      h.onRequest(MessageType.QUESTION, MessageType.ANSWER, r -> {
        throw new IllegalStateException("cannot answer " + r.content());
      });
    }
  }

  static final class Parser extends AbstractAgent {
    Parser(AgentContext context) {
      super(context);
    }

    @Override
    public String id() {
      return "parser-dev-001";
    }

    @Override
    protected Map<String, ?> heartbeatContent() {
      return Map.of("status", "alive", "teams", java.util.List.of("parsers"), "version", "1.2.3");
    }

    @Override
    protected void configure(Handlers h) {}
  }

  @BeforeAll
  static void startAgents() throws Exception {
    AgentBusConfig config = agentsConfig(nats.url(), Map.of());
    host = config.newAgentHost(config.newMessageBus());
    AgentContext context = config.agentContextBuilder(host.bus()).build();
    host.start(Duration.ofSeconds(10), new Architect(context), new Parser(context));
    cli = Cli.on(nats.server().url());
  }

  /** How an agent process is configured: on the test's server, heartbeats every second. */
  static AgentBusConfig agentsConfig(String natsUrl, Map<String, String> more) {
    Map<String, String> p = new java.util.HashMap<>(more);
    p.putAll(Map.of("agentbus.transport", "nats", "agentbus.nats.url", natsUrl,
        "agentbus.heartbeat.interval", "1s", "agentbus.shutdown-hook", "false"));
    return AgentBusConfig.fromProperties(p);
  }

  @AfterAll
  static void stopAgents() {
    if (host != null) {
      host.close();
    }
  }

  @Test
  void agentsListsTheRunningAgentsFromTheirHeartbeats() throws Exception {
    Cli.Result r = cli.run("agents", "--wait", "2s");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("AGENT", "STATE", "HEARTBEAT");
    assertThat(r.out().lines().filter(l -> l.startsWith("architect-001")).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains("alive", "ago",
            "question,resource_request")); // its handled types, from discovery
    assertThat(r.out().lines().filter(l -> l.startsWith("parser-dev-001")).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains("alive", "parsers", "1.2.3"));

    Cli.Result json = cli.run("agents", "--wait", "2s", "--json");
    JsonNode agents = JSON.readTree(json.out());
    assertThat(agents.isArray()).isTrue();
    assertThat(agents.findValuesAsText("agent")).contains("architect-001", "parser-dev-001");
    for (JsonNode a : agents) {
      assertThat(a.get("state").asText()).isEqualTo("alive");
      assertThat(a.get("heartbeat_age_ms").asLong()).isLessThan(1500);
    }
  }

  @Test
  void agentsInANamespaceWithoutAgentsSaysSoAndExitsNotFound() {
    Cli.Result r = cli.run("agents", "--wait", "1500ms", "--namespace", "elsewhere");

    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.err().strip()).startsWith("agentbus: no agent heard within 1.5s in namespace "
        + "'elsewhere'").doesNotContain("\n");
  }

  @Test
  void requestPrintsTheReplyAndJsonForScripts() throws Exception {
    Cli.Result r = cli.run("request", "architect-001", "resource_request",
        "{\"resource\": \"task_model\"}");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("reply from architect-001: resource_response")
        .contains("\"resource\" : \"task_model\"", "\"status\" : \"ready\"");

    Cli.Result json = cli.runWithInput("{\"resource\": \"db\"}", "request", "architect-001",
        "resource_request", "-", "--json", "--timeout", "3s");
    JsonNode reply = JSON.readTree(json.out()).get("reply");
    assertThat(reply.get("from_agent").asText()).isEqualTo("architect-001");
    assertThat(reply.get("to_agent").asText()).isEqualTo("agentbus-cli");
    assertThat(reply.get("content").get("resource").asText()).isEqualTo("db");
  }

  @Test
  void requestContentFromAFileAndFromKeyValuePairs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("content.json");
    Files.writeString(file, "{\"resource\": \"from-file\"}");
    assertThat(cli.run("request", "architect-001", "resource_request", "--file", file.toString())
        .out()).contains("\"resource\" : \"from-file\"");
    assertThat(cli.run("request", "architect-001", "resource_request", "resource=pairs").out())
        .contains("\"resource\" : \"pairs\"");
  }

  @Test
  void requestToAnUnknownAgentIsOneLineNamingTheFix() {
    Cli.Result r = cli.run("request", "nobody-007", "question", "{}");

    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.err().strip()).doesNotContain("\n")
        .startsWith("agentbus: No agent is listening on orchestrator.agent.nobody-007.question")
        .contains("agentbus agents");
  }

  @Test
  void requestWhoseHandlerFailsReportsTheRemoteError() {
    Cli.Result r = cli.run("request", "architect-001", "question", "q=why");

    assertThat(r.exitCode()).isEqualTo(ExitCode.FAILED);
    assertThat(r.err()).contains("cannot answer");
  }

  @Test
  void invalidJsonContentIsRejectedBeforeAnythingIsSent() {
    Cli.Result r = cli.run("send", "architect-001", "question", "{\"q\": ");

    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(r.err().strip()).doesNotContain("\n")
        .startsWith("agentbus: Invalid JSON content in the argument at line 1")
        .contains("Give a JSON object");
    assertThat(cli.run("send", "architect-001", "question", "[1, 2]").err())
        .contains("a message's content is a JSON object, got array");
  }

  @Test
  void noServerIsOneLineNamingTheUrlAndTheFix() {
    Cli.Result r = new Cli(Map.of("NATS_URL", "nats://127.0.0.1:1")).run("agents");

    assertThat(r.exitCode()).isEqualTo(ExitCode.NO_SERVER);
    assertThat(r.err().strip()).doesNotContain("\n")
        .startsWith("agentbus: No NATS server reachable at nats://127.0.0.1:1")
        .contains("NATS_URL");
  }

  @Test
  void wrongCredentialsArePermissionDenied() {
    NatsServer secured = nats.startServer(
        NatsServerSpec.builder().user("ops", "secret").jetStream(false).build());
    Cli.Result r = new Cli(Map.of("NATS_URL", secured.url(), "AGENTBUS_NATS_USER", "ops",
        "AGENTBUS_NATS_PASSWORD", "wrong")).run("send", "broadcast", "status_update");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.PERMISSION_DENIED);
    assertThat(r.err().strip()).doesNotContain("\n").startsWith("agentbus: Permission denied")
        .contains("AGENTBUS_NATS_USER");

    Cli.Result ok = new Cli(Map.of("NATS_URL", secured.url(), "AGENTBUS_NATS_USER", "ops",
        "AGENTBUS_NATS_PASSWORD", "secret")).run("send", "broadcast", "status_update");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
  }

  @Test
  void aSubjectTheUserMayNotUseIsPermissionDenied() {
    NatsServer restricted = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config("authorization { users = [ { user: ops, password: secret, permissions: {"
            + " publish: { deny: [\"orchestrator.broadcast.>\"] },"
            + " subscribe: { deny: [\"orchestrator.agent.>\"] } } } ] }\n")
        .build());
    Cli ops = new Cli(Map.of("NATS_URL", restricted.url(), "AGENTBUS_NATS_USER", "ops",
        "AGENTBUS_NATS_PASSWORD", "secret"));

    Cli.Result send = ops.run("send", "broadcast", "status_update", "status=maintenance");
    assertThat(send.exitCode()).as(send.err()).isEqualTo(ExitCode.PERMISSION_DENIED);
    assertThat(send.err().strip()).doesNotContain("\n")
        .startsWith("agentbus: Permission denied: the NATS server refused")
        .contains("orchestrator.broadcast.status_update");

    Cli.Result tail = ops.run("tail", "agent.>");
    assertThat(tail.exitCode()).as(tail.err()).isEqualTo(ExitCode.PERMISSION_DENIED);
    assertThat(tail.err().strip()).doesNotContain("\n")
        .contains("refused to let this user subscribe to 'orchestrator.agent.>'");

    assertThat(ops.run("send", "team:parsers", "question", "q=allowed").exitCode()).isZero();
  }

  @Test
  void tailShowsASentMessageAsOneDecodedLineWithFilters() throws Exception {
    Cli.Running tail = cli.start("tail", "--type", "question", "--to", "architect-001",
        "--count", "1");
    await().atMost(Duration.ofSeconds(10)).until(() -> tail.err().contains("listening on"));

    Cli.Result sent = cli.run("send", "--from", "ops-1", "--correlation-id", "c-42",
        "architect-001", "question", "{\"q\": \"ready?\"}");
    assertThat(sent.exitCode()).as(sent.err()).isZero();
    assertThat(sent.out()).startsWith("sent question to orchestrator.agent.architect-001.question");

    assertThat(tail.join()).isZero();
    assertThat(tail.out().lines().toList()).singleElement().satisfies(l -> assertThat(l)
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} direct +ops-1 -> architect-001 question "
            + "corr=c-42 \\{\"q\":\"ready\\?\"}"));
    assertThat(tail.err()).contains("agentbus tail: 1 message(s) on orchestrator.>");
  }

  @Test
  void tailDecodesWhateverTheCodecAndShowsWhatNoCodecReads() throws Exception {
    Cli.Running tail = cli.start("tail", "team.codecs.*", "--count", "2");
    await().atMost(Duration.ofSeconds(10)).until(() -> tail.err().contains("listening on"));

    Cli.Result protobuf = cli.with("AGENTBUS_CODEC", "protobuf")
        .run("send", "team:codecs", "question", "q=in-protobuf");
    assertThat(protobuf.exitCode()).as(protobuf.err()).isZero();
    try (io.agentbus.spi.Transport raw = agentsConfig(nats.url(), Map.of()).newTransport()) {
      raw.publish("orchestrator.team.codecs.question", null, io.agentbus.Headers.empty(),
          new byte[] {'{', 'n', 'o', 't', ' ', 'j', 's', 'o', 'n'});
      raw.flush(Duration.ofSeconds(5));
    }

    assertThat(tail.join()).isZero();
    assertThat(tail.out()).containsPattern("team +agentbus-cli -> team:codecs question "
        + "\\{\"q\":\"in-protobuf\"}");
    assertThat(tail.out()).contains("orchestrator.team.codecs.question (9 bytes)", "{not json",
        "(undecodable: ");
    assertThat(tail.err()).contains("2 message(s)", "1 undecodable");
  }

  @Test
  void tailRawAndJsonShowHeadersAndPayload() throws Exception {
    Cli.Running tail = cli.start("tail", "team.*.*", "--raw", "--json", "--count", "1");
    await().atMost(Duration.ofSeconds(10)).until(() -> tail.err().contains("listening on"));

    assertThat(cli.run("send", "team:parsers", "task_assignment", "task=t-1").exitCode()).isZero();

    assertThat(tail.join()).isZero();
    JsonNode line = JSON.readTree(tail.out());
    assertThat(line.get("subject").asText()).isEqualTo("orchestrator.team.parsers.task_assignment");
    JsonNode payload = JSON.readTree(line.get("payload").asText());
    assertThat(payload.get("from_agent").asText()).isEqualTo("agentbus-cli");
    assertThat(payload.get("content").get("task").asText()).isEqualTo("t-1");
    assertThat(line.get("payload_base64").asText()).isNotEmpty();
  }

  @Test
  void tailRunsUntilInterruptedAndThenSummarises() throws Exception {
    Cli.Running tail = cli.start("tail", "broadcast.heartbeat");
    await().atMost(Duration.ofSeconds(10)).until(() -> tail.out().contains("heartbeat"));

    assertThat(tail.stop()).isZero();
    assertThat(tail.err()).containsPattern("agentbus tail: [1-9]\\d* message\\(s\\) on "
        + "orchestrator.broadcast.heartbeat");
  }

  @Test
  void agentsWatchPrintsAgentsAsTheyJoinAndLeave() throws Exception {
    Cli.Running watch = cli.start("agents", "--watch");
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("architect-001"));
    assertThat(watch.out()).contains("joined");

    AgentBusConfig config = agentsConfig(nats.url(), Map.of());
    try (AgentHost second = config.newAgentHost(config.newMessageBus())) {
      AbstractAgent late = new AbstractAgent(config.agentContextBuilder(second.bus()).build()) {
        @Override
        public String id() {
          return "latecomer-001";
        }

        @Override
        protected void configure(Handlers h) {}
      };
      second.start(Duration.ofSeconds(10), late);
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(watch.out()).containsPattern("latecomer-001 +joined"));
    }
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(watch.out()).containsPattern("latecomer-001 +offline"));
    assertThat(watch.stop()).isZero();
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"agents", "tail", "send", "request"}) {
      Cli.Result r = cli.run(command, "--help");
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).startsWith("Usage: agentbus " + command).contains("--json", "Exit codes");
    }
    Cli.Result bad = cli.run("send");
    assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("Missing required parameters");
  }
}
