package io.agentbus.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code docs/ops/nats-cluster.sh} as docs/operations.md tells the reader to, checks the
 * cluster the way the page does (its monitoring endpoints), and passes a request between agents
 * connected to different nodes. Needs {@code nats-server} (on the PATH or in /usr/sbin); without it
 * the test is skipped, except under {@code CI=true}, where it fails.
 */
class NatsClusterScriptTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private int offset;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopCluster() throws Exception {
    if (offset != 0) {
      Process stop = script("stop");
      assertThat(stop.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stop finished").isTrue();
      assertThat(stop.exitValue()).as("stop: %s", Files.readString(output("stop"))).isZero();
    }
  }

  @Test
  void theScriptStartsAThreeNodeJetStreamClusterThatAgentsTalkAcross() throws Exception {
    requireNatsServer();
    offset = freePortOffset();

    Process start = script("start");
    assertThat(start.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("script finished").isTrue();
    String out = Files.readString(output("start"), StandardCharsets.UTF_8);
    assertThat(start.exitValue()).as("exit code; output:%n%s%nlogs:%n%s", out, logs()).isZero();
    assertThat(out).contains("cluster up: nats://127.0.0.1:" + (4222 + offset));

    // what docs/operations.md shows: two routes per node, a JetStream meta group of three
    // ("healthy", what the script waits for, comes a moment before every route is up)
    for (int n = 0; n < 3; n++) {
      int port = 8222 + offset + n;
      assertThat(monitor(port, "/healthz")).contains("\"ok\"");
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(monitor(port, "/routez")).containsPattern("\"num_routes\":\\s*2"));
    }
    assertThat(monitor(8222 + offset, "/jsz")).containsPattern("\"cluster_size\":\\s*3");

    // an agent on n1 answers a requester on n3, through the cluster's routes
    try (MessageBus onN1 = bus(4222 + offset); MessageBus onN3 = bus(4224 + offset)) {
      onN1.subscribeToAgentMessages("architect-001", d -> d.reply(
          MessageType.RESOURCE_RESPONSE, Map.of("resource", "task_model", "status", "ready")));
      onN1.flush(WAIT);

      AgentMessage reply = requestUntilRouted(onN3);
      assertThat(reply.fromAgent()).isEqualTo("architect-001");
      assertThat(reply.content()).containsEntry("status", "ready");
    }
  }

  @Test
  void startFailsWhenAnotherServerHoldsANodesMonitoringPort() throws Exception {
    requireNatsServer();
    offset = freePortOffset();
    // another nats-server, not part of the cluster, on n2's monitoring port: it answers /healthz
    // with "ok", which the health check used to take for n2's answer
    int taken = 8223 + offset;
    Process other = new ProcessBuilder(natsServer(), "-a", "127.0.0.1", "-p", "-1",
        "-m", Integer.toString(taken), "-n", "someone-else")
        .redirectErrorStream(true).redirectOutput(dir.resolve("other.out").toFile()).start();
    try {
      awaitMonitoring(taken);

      Process start = script("start");
      assertThat(start.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("script finished").isTrue();
      String out = Files.readString(output("start"), StandardCharsets.UTF_8);
      assertThat(start.exitValue()).as("exit code; output:%n%s", out).isNotZero();
      assertThat(out).doesNotContain("cluster up").contains("n2 ");
      assertThat(out).containsAnyOf("n2 exited at startup", "not n2");
      // the nodes it did start are stopped again, and the other server is untouched
      for (int n : List.of(0, 2)) {
        assertThat(allFreeAt(4222 + offset + n)).as("client port of n%d free again", n + 1)
            .isTrue();
      }
      assertThat(monitor(taken, "/varz")).contains("someone-else");
    } finally {
      other.destroy();
      other.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private void awaitMonitoring(int port) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        monitor(port, "/healthz");
        return;
      } catch (IOException | AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static boolean allFreeAt(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String natsServer() {
    return Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
            Stream.of("/usr/sbin", "/usr/local/bin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "nats-server"))
        .filter(Files::isExecutable)
        .findFirst().orElseThrow().toString();
  }

  /** Interest travels to the other nodes asynchronously: until it arrives, no responders. */
  private AgentMessage requestUntilRouted(MessageBus requester) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return requester.endpoint("parser-dev-001").request("architect-001",
            MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);
      } catch (NoRespondersException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static MessageBus bus(int port) {
    NatsTransportConfig config = NatsTransportConfig.builder()
        .servers("nats://127.0.0.1:" + port)
        .build();
    return MessageBus.builder()
        .transport(NatsTransport.connect(config))
        .codec(JsonCodec.create())
        .build();
  }

  private Process script(String command) throws IOException {
    Path script = repositoryRoot().resolve("docs/ops/nats-cluster.sh");
    // into a file, not a pipe: a pipe would stay open as long as anything the script started
    // held it, and reading it to the end could wait for the servers to exit
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command, dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(output(command).toFile());
    pb.environment().put("NATS_CLUSTER_PORT_OFFSET", Integer.toString(offset));
    pb.environment().put("PATH", pb.environment().getOrDefault("PATH", "") + ":/usr/sbin");
    return pb.start();
  }

  private Path output(String command) {
    return dir.resolve(command + ".out");
  }

  private String monitor(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s on port %d", path, port).isEqualTo(200);
    return r.body();
  }

  private String logs() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        sb.append("--- ").append(log.getFileName()).append('\n')
            .append(Files.readString(log));
      }
    }
    return sb.toString();
  }

  /** An offset at which the nine ports the cluster needs are free right now. */
  private static int freePortOffset() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate = 10_000 + ThreadLocalRandom.current().nextInt(40_000);
      if (allFree(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("No free ports for a 3-node cluster after 50 tries");
  }

  private static boolean allFree(int offset) {
    for (int base : List.of(4222, 6222, 8222)) {
      for (int n = 0; n < 3; n++) {
        try (ServerSocket s = new ServerSocket(base + offset + n, 1,
            InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static void requireNatsServer() {
    boolean found = Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
            Stream.of("/usr/sbin", "/usr/local/bin"))
        .filter(d -> !d.isEmpty())
        .anyMatch(d -> Files.isExecutable(Path.of(d, "nats-server")));
    if (!found) {
      String message = "nats-server is not installed (Debian/Ubuntu: apt-get install nats-server;"
          + " macOS: brew install nats-server); the cluster script cannot be tried";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
  }

  private static Path repositoryRoot() {
    Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/ops/nats-cluster.sh"))) {
        return p;
      }
    }
    throw new AssertionError("No docs/ops/nats-cluster.sh in " + start + " or above");
  }
}
