package io.agentbus.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nats-server} child process on a free loopback port, for one benchmark run. {@link
 * #close()} stops it; a JVM shutdown hook stops it too if the run is interrupted. Not thread-safe.
 */
final class NatsServerProcess implements AutoCloseable {
  private static final List<String> CANDIDATES =
      List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server");

  private final Process process;
  private final int port;
  private final String version;
  private final Thread hook;

  private NatsServerProcess(Process process, int port, String version) {
    this.process = process;
    this.port = port;
    this.version = version;
    this.hook = new Thread(process::destroy, "nats-server-stopper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Finds the binary: {@code $NATS_SERVER} if set, else the usual install paths, else {@code
   * nats-server} on the PATH.
   *
   * @throws IllegalStateException naming every place looked in, when there is none
   */
  static Path findBinary() {
    String env = System.getenv("NATS_SERVER");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException("NATS_SERVER=" + env + " is not an executable file");
      }
      return p;
    }
    for (String c : CANDIDATES) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nats-server"))) {
        return Path.of(dir, "nats-server");
      }
    }
    throw new IllegalStateException("No nats-server found (looked at $NATS_SERVER, " + CANDIDATES
        + " and the PATH). Install it (Debian: apt-get install nats-server) or set NATS_SERVER.");
  }

  /**
   * Starts the server on a free loopback port and waits until it accepts connections.
   *
   * @param log file receiving the server's output
   * @throws IllegalStateException if it exits or does not listen within 10 s
   */
  static NatsServerProcess start(Path binary, Path log) throws IOException, InterruptedException {
    return start(binary, log, freePort(), List.of());
  }

  /**
   * Starts the servers of a cluster named {@code name} on free loopback ports, each with routes to
   * all, and waits until each accepts connections (the routes form shortly after: check them
   * with a message from one node to another).
   *
   * @param logs one file per node, receiving its output
   */
  static List<NatsServerProcess> startCluster(Path binary, String name, List<Path> logs)
      throws IOException, InterruptedException {
    int n = logs.size();
    int[] ports = new int[n];
    int[] routePorts = new int[n];
    StringBuilder routes = new StringBuilder();
    for (int i = 0; i < n; i++) {
      ports[i] = freePort();
      routePorts[i] = freePort();
      routes.append(i == 0 ? "" : ",").append("nats://127.0.0.1:").append(routePorts[i]);
    }
    List<NatsServerProcess> nodes = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        nodes.add(start(binary, logs.get(i), ports[i], List.of("-n", name + "-n" + (i + 1),
            "--cluster_name", name, "--cluster", "nats://127.0.0.1:" + routePorts[i],
            "--routes", routes.toString())));
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      nodes.forEach(NatsServerProcess::close);
      throw e;
    }
    return nodes;
  }

  private static NatsServerProcess start(Path binary, Path log, int port, List<String> extra)
      throws IOException, InterruptedException {
    String version = versionOf(binary);
    List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "-a",
        "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(extra);
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accepts(port)) {
      if (!p.isAlive()) {
        throw new IllegalStateException("nats-server exited with " + p.exitValue()
            + " before listening on port " + port + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("nats-server did not listen on 127.0.0.1:" + port
            + " within 10 s; see " + log);
      }
      Thread.sleep(50);
    }
    return new NatsServerProcess(p, port, version);
  }

  private static String versionOf(Path binary) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(5, TimeUnit.SECONDS);
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** What {@code nats-server --version} printed. */
  String version() {
    return version;
  }

  /** The server's process id, for profiling it alongside. */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or ran: nothing left to undo
    }
  }
}
