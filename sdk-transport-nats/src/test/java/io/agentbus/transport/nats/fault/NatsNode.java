package io.agentbus.transport.nats.fault;

import io.agentbus.test.nats.NatsProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One {@code nats-server} process with JetStream, on fixed loopback ports and a store directory
 * that survive {@link #kill()} and {@link #start()}: the fault tests kill it with SIGKILL ({@link
 * Process#destroyForcibly()}) and start it again on the same store, as a crashed server restarts.
 * A node may be part of a cluster ({@link #cluster}). Not thread-safe: one test thread drives it.
 */
final class NatsNode implements AutoCloseable {
  private static final String HOST = NatsProcess.HOST;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

  private final Path binary;
  private final String name;
  private final Path dir;
  private final int port;
  private final int clusterPort;
  private final List<String> routes = new ArrayList<>();
  private @Nullable String clusterName;
  private @Nullable NatsProcess process;
  private String lastLog = "";
  private int starts;

  private NatsNode(Path binary, String name, Path dir) {
    this.binary = binary;
    this.name = name;
    this.dir = dir;
    this.port = NatsProcess.freePort();
    this.clusterPort = NatsProcess.freePort();
  }

  /** A node named {@code name} with its own temporary store; not started. */
  static NatsNode create(String name) {
    try {
      return new NatsNode(NatsProcess.requireBinary(), name,
          Files.createTempDirectory("agentbus-fault-" + name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Joins {@code nodes} into a cluster with routes to one another; call before starting them. */
  static void cluster(String clusterName, List<NatsNode> nodes) {
    for (NatsNode n : nodes) {
      n.clusterName = clusterName;
      n.routes.clear();
      for (NatsNode other : nodes) {
        if (other != n) {
          n.routes.add("nats://" + HOST + ":" + other.clusterPort);
        }
      }
    }
  }

  String name() {
    return name;
  }

  String url() {
    return "nats://" + HOST + ":" + port;
  }

  boolean isRunning() {
    NatsProcess p = process;
    return p != null && p.isAlive();
  }

  /** How many times it has been started. */
  int starts() {
    return starts;
  }

  /** Starts the process and returns once it accepts clients. */
  void start() {
    if (isRunning()) {
      return;
    }
    NatsProcess.StartFailure last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        process = NatsProcess.launch(command(), dir, name, START_TIMEOUT);
        starts++;
        return;
      } catch (NatsProcess.StartFailure e) {
        last = e;
        if (!e.addressInUse()) {
          throw e;
        }
        pause(100); // the killed process's port is not free yet
      }
    }
    throw last;
  }

  /** SIGKILL: no shutdown, no flush, no goodbye to clients or routes. */
  void kill() {
    NatsProcess p = process;
    process = null;
    if (p == null) {
      return;
    }
    lastLog = p.logTail();
    p.kill(KILL_TIMEOUT);
  }

  @Override
  public void close() {
    kill();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a temp directory left behind is not worth failing a test for
    }
  }

  /** What the running server logged last, or what it had logged when it was killed. */
  String logTail() {
    NatsProcess p = process;
    return p == null ? lastLog : p.logTail();
  }

  private List<String> command() {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "-a", HOST, "-p", Integer.toString(port), "-n", name,
        "-js", "-sd", dir.resolve("jetstream").toString()));
    if (clusterName != null) {
      cmd.addAll(List.of("--cluster_name", clusterName,
          "--cluster", "nats://" + HOST + ":" + clusterPort,
          "--routes", String.join(",", routes)));
    }
    return cmd;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " " + url() + (isRunning() ? " (running)" : " (down)");
  }
}
