package io.agentbus.test.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs real nats-server processes (or containers, or NATS_URL) through the extension. */
class NatsServerExtensionTest {
  private static final Duration PROBE = Duration.ofSeconds(5);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @Test
  void theDefaultServerGreetsLikeNats() {
    NatsServer server = nats.server();
    assertThat(nats.url()).isEqualTo(server.url());
    assertThat(ServerProbe.info(server.host(), server.port(), PROBE)).startsWith("INFO {");
    assertThat(server.isRunning()).isTrue();
  }

  @Test
  void aStartedServerStopsAndStartsAgainOnTheSamePort() {
    NatsServer server = nats.startServer(NatsServerSpec.defaults());
    assertThat(server.kind()).isIn(NatsServer.Kind.PROCESS, NatsServer.Kind.CONTAINER);
    assertThat(server.url()).isEqualTo("nats://" + server.host() + ":" + server.port());
    String info = ServerProbe.info(server.host(), server.port(), PROBE);
    assertThat(info).contains("\"jetstream\":true").doesNotContain("auth_required");

    int port = server.port();
    server.stop();
    server.stop(); // idempotent
    assertThat(server.isRunning()).isFalse();
    assertThat(ServerProbe.info(server.host(), port, PROBE)).isNull();

    server.start();
    assertThat(server.isRunning()).isTrue();
    assertThat(server.port()).isEqualTo(port);
    assertThat(ServerProbe.info(server.host(), port, PROBE)).startsWith("INFO {");

    server.restart();
    assertThat(ServerProbe.info(server.host(), port, PROBE)).startsWith("INFO {");
  }

  @Test
  void serversWithAUserOrATokenRequireAuthentication() {
    NatsServer withUser = nats.startServer(NatsServerSpec.builder().user("alice", "pw").build());
    NatsServer withToken = nats.startServer(NatsServerSpec.builder().token("t0k3n").build());
    assertThat(ServerProbe.info(withUser.host(), withUser.port(), PROBE))
        .contains("\"auth_required\":true");
    assertThat(ServerProbe.info(withToken.host(), withToken.port(), PROBE))
        .contains("\"auth_required\":true");
    assertThat(withUser.port()).isNotEqualTo(withToken.port());
    assertThat(withUser.toString()).doesNotContain("pw");
    assertThat(withToken.toString()).doesNotContain("t0k3n");
  }

  @Test
  void extraConfigurationIsApplied() {
    NatsServer server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config("max_payload: 2048\n").build());
    assertThat(ServerProbe.info(server.host(), server.port(), PROBE))
        .contains("\"max_payload\":2048").doesNotContain("\"jetstream\":true");
  }

  @Test
  void closingStopsEveryServerAndLeavesNoProcessOrDirectory() throws Exception {
    int before = NatsProcess.liveCount();
    NatsServerExtension own = NatsServerExtension.create(NatsServerSpec.defaults());
    NatsServer a = own.server();
    NatsServer b = own.startServer(NatsServerSpec.builder().token("x").build());
    if (a.kind() == NatsServer.Kind.PROCESS) {
      assertThat(NatsProcess.liveCount()).isEqualTo(before + 2);
    }
    own.close();
    assertThat(NatsProcess.liveCount()).isEqualTo(before);
    assertThat(ServerProbe.info(a.host(), a.port(), PROBE)).isNull();
    assertThat(ServerProbe.info(b.host(), b.port(), PROBE)).isNull();
    assertThatThrownBy(a::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aServerThatCannotStartReportsItsOutput() {
    int before = NatsProcess.liveCount();
    assertThatThrownBy(() -> nats.startServer(NatsServerSpec.builder()
        .config("this is { not a valid config").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not become ready")
        .hasMessageContaining("Its output");
    assertThat(NatsProcess.liveCount()).isEqualTo(before);
  }
}
