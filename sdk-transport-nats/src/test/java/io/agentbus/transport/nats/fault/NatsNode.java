package io.agentbus.transport.nats.fault;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@code nats-server} process with JetStream, on fixed loopback ports and a store directory
 * that survive {@link #kill()} and {@link #start()}: the fault tests kill it with SIGKILL ({@link
 * Process#destroyForcibly()}) and start it again on the same store, as a crashed server restarts.
 * A node may be part of a cluster ({@link #cluster}). Not thread-safe: one test thread drives it.
 */
final class NatsNode implements AutoCloseable {
  private static final String HOST = "127.0.0.1";
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "fault-test-nats-reaper"));
  }

  private final Path binary;
  private final String name;
  private final Path dir;
  private final int port;
  private final int clusterPort;
  private final List<String> routes = new ArrayList<>();
  private @Nullable String clusterName;
  private @Nullable Process process;
  private final Deque<String> logTail = new ArrayDeque<>();
  private int starts;

  private NatsNode(Path binary, String name, Path dir) {
    this.binary = binary;
    this.name = name;
    this.dir = dir;
    this.port = freePort();
    this.clusterPort = freePort();
  }

  /** A node named {@code name} with its own temporary store; not started. */
  static NatsNode create(String name) {
    try {
      return new NatsNode(binary(), name, Files.createTempDirectory("agentbus-fault-" + name));
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
    return process != null && process.isAlive();
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
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        launch();
        starts++;
        return;
      } catch (IllegalStateException e) {
        last = e;
        if (!logMentions("address already in use")) {
          throw e;
        }
        pause(100); // the killed process's port is not free yet
      }
    }
    throw last;
  }

  /** SIGKILL: no shutdown, no flush, no goodbye to clients or routes. */
  void kill() {
    Process p = process;
    process = null;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not die from SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(p);
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

  String logTail() {
    synchronized (logTail) {
      return String.join("\n", logTail);
    }
  }

  private void launch() {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "-a", HOST, "-p", Integer.toString(port), "-n", name,
        "-js", "-sd", dir.resolve("jetstream").toString()));
    if (clusterName != null) {
      cmd.addAll(List.of("--cluster_name", clusterName,
          "--cluster", "nats://" + HOST + ":" + clusterPort,
          "--routes", String.join(",", routes)));
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("Could not run " + binary + ": " + e.getMessage(), e);
    }
    LIVE.add(p);
    synchronized (logTail) {
      logTail.clear();
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> pump(p, ready), "nats-log-" + name);
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      LIVE.remove(p);
      throw new IllegalStateException(name + " did not start: " + String.join(" ", cmd)
          + "\n" + logTail(), e);
    }
    process = p;
  }

  private void pump(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (logTail) {
          if (logTail.size() == 200) {
            logTail.removeFirst();
          }
          logTail.addLast(line);
        }
        if (line.contains("Server is ready")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // the process is gone
    } finally {
      ready.completeExceptionally(new IllegalStateException("nats-server exited"));
    }
  }

  private boolean logMentions(String text) {
    synchronized (logTail) {
      return logTail.stream().anyMatch(l -> l.toLowerCase().contains(text));
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The {@code nats-server} binary: {@code NATS_SERVER_BIN}, else the {@code PATH}, else the usual
   * install directories. Without one the fault tests are skipped, except under {@code CI=true},
   * where they fail.
   */
  static Path binary() {
    List<Path> candidates = new ArrayList<>();
    String explicit = System.getenv("NATS_SERVER_BIN");
    if (explicit != null && !explicit.isBlank()) {
      candidates.add(Path.of(explicit));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (!d.isBlank()) {
          candidates.add(Path.of(d, "nats-server"));
        }
      }
    }
    for (String d : new String[] {"/usr/sbin", "/usr/local/bin", "/usr/bin", "/opt/nats"}) {
      candidates.add(Path.of(d, "nats-server"));
    }
    for (Path c : candidates) {
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    String message = "The fault tests start nats-server processes and none was found (tried "
        + candidates + "). Install it (apt-get install nats-server, or a release from "
        + "https://github.com/nats-io/nats-server/releases) or set NATS_SERVER_BIN.";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  @Override
  public String toString() {
    return name + " " + url() + (isRunning() ? " (running)" : " (down)");
  }
}
