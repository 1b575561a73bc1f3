package io.agentbus.test.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code nats-server} child process on a loopback port. Readiness is the server's own "Server is
 * ready" log line. Every live process is also registered with a JVM shutdown hook, so that a test
 * run that is killed or exits early leaves no server behind.
 */
final class ProcessNatsServer implements NatsServer, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProcessNatsServer.class);
  private static final String HOST = NatsProcess.HOST;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Path binary;
  private final NatsServerSpec spec;
  private final Path workDir;
  private int port;
  private @Nullable NatsProcess process;
  private boolean closed;

  private ProcessNatsServer(Path binary, NatsServerSpec spec, Path workDir) {
    this.binary = binary;
    this.spec = spec;
    this.workDir = workDir;
  }

  /** Starts a server on a free port, retrying with another port if that one was taken meanwhile. */
  static ProcessNatsServer start(Path binary, NatsServerSpec spec) {
    Path dir;
    try {
      dir = Files.createTempDirectory("agentbus-nats-");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a directory for nats-server", e);
    }
    ProcessNatsServer server = new ProcessNatsServer(binary, spec, dir);
    NatsProcess.StartFailure last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      server.port = NatsProcess.freePort();
      try {
        server.launch();
        return server;
      } catch (NatsProcess.StartFailure e) {
        last = e;
        if (!e.addressInUse()) {
          break;
        }
      }
    }
    server.close();
    throw last;
  }

  @Override
  public String url() {
    return "nats://" + HOST + ":" + port;
  }

  @Override
  public String host() {
    return HOST;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public Kind kind() {
    return Kind.PROCESS;
  }

  @Override
  public synchronized boolean isRunning() {
    NatsProcess p = process;
    return p != null && p.isAlive();
  }

  @Override
  public boolean canRestart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    NatsProcess p = process;
    if (p == null) {
      return;
    }
    process = null;
    p.terminate(STOP_TIMEOUT);
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("This NATS server was already shut down for good");
    }
    if (isRunning()) {
      return;
    }
    // the port was ours a moment ago; the kernel may need a moment to release it
    NatsProcess.StartFailure last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (NatsProcess.StartFailure e) {
        last = e;
        if (!e.addressInUse()) {
          throw e;
        }
        sleepQuietly(100);
      }
    }
    throw last;
  }

  /** Stops the server for good and deletes its store directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    deleteRecursively(workDir);
  }

  @Override
  public String toString() {
    return "nats-server " + url() + " (" + spec + ")";
  }

  // ------------------------------------------------------------------ internals

  private synchronized void launch() {
    process = NatsProcess.launch(command(), workDir, Integer.toString(port), START_TIMEOUT,
        ProcessNatsServer::redacted);
    log.debug("Started {} (pid {})", this, process.process().pid());
  }

  private List<String> command() {
    List<String> c = new ArrayList<>();
    c.add(binary.toString());
    if (spec.config() != null) {
      Path conf = workDir.resolve("nats-server.conf");
      try {
        Files.writeString(conf, spec.config(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write " + conf, e);
      }
      c.add("-c");
      c.add(conf.toString());
    }
    c.add("-a");
    c.add(HOST);
    c.add("-p");
    c.add(Integer.toString(port));
    c.add("-n");
    c.add("agentbus-test-" + port);
    if (spec.jetStream()) {
      c.add("-js");
      c.add("-sd");
      c.add(workDir.resolve("jetstream").toString());
    }
    if (spec.user() != null) {
      c.add("--user");
      c.add(spec.user());
      c.add("--pass");
      c.add(spec.password());
    }
    if (spec.token() != null) {
      c.add("--auth");
      c.add(spec.token());
    }
    if (spec.tlsCert() != null) {
      c.add("--tls");
      c.add("--tlscert");
      c.add(spec.tlsCert().toString());
      c.add("--tlskey");
      c.add(String.valueOf(spec.tlsKey()));
    }
    return c;
  }

  private static List<String> redacted(List<String> command) {
    List<String> r = new ArrayList<>(command);
    for (int i = 0; i < r.size() - 1; i++) {
      if (r.get(i).equals("--pass") || r.get(i).equals("--auth")) {
        r.set(i + 1, "***");
      }
    }
    return r;
  }

  /** Processes started and not yet stopped, for leak checks. */
  static int liveProcessCount() {
    return NatsProcess.liveCount();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          log.debug("Could not delete {}", p, e);
        }
      });
    } catch (IOException e) {
      log.debug("Could not delete {}", dir, e);
    }
  }
}
