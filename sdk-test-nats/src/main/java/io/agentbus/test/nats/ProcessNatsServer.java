package io.agentbus.test.nats;

import java.io.BufferedReader;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  private static final String HOST = "127.0.0.1";
  private static final String READY = "Server is ready";
  private static final long START_TIMEOUT_SECONDS = 20;
  private static final long STOP_TIMEOUT_SECONDS = 10;
  private static final int LOG_TAIL = 60;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(ProcessNatsServer::destroyAllForcibly, "agentbus-nats-server-reaper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private final Path binary;
  private final NatsServerSpec spec;
  private final Path workDir;
  private int port;
  private @Nullable Process process;
  private final Deque<String> logTail = new ArrayDeque<>();
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
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      server.port = freePort();
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        last = e;
        if (!server.lastLogMentions("address already in use")) {
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
    return process != null && process.isAlive();
  }

  @Override
  public boolean canRestart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    process = null;
    terminate(p);
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
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        last = e;
        if (!lastLogMentions("address already in use")) {
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
    List<String> command = command();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .directory(workDir.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("Could not run " + binary + ": " + e.getMessage(), e);
    }
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
    synchronized (logTail) {
      logTail.clear();
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> pump(p, ready), "agentbus-nats-server-log-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(p);
      throw new IllegalStateException("Interrupted while starting nats-server", e);
    } catch (ExecutionException | TimeoutException e) {
      terminate(p);
      throw new IllegalStateException("nats-server did not become ready on port " + port
          + " within " + START_TIMEOUT_SECONDS + " s. Command: " + String.join(" ", redacted(command))
          + "\nIts output:\n" + tail(), e);
    }
    process = p;
    log.debug("Started {} (pid {})", this, p.pid());
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

  private void pump(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (logTail) {
          if (logTail.size() == LOG_TAIL) {
            logTail.removeFirst();
          }
          logTail.addLast(line);
        }
        log.trace("nats-server:{} {}", port, line);
        if (line.contains(READY)) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      // the stream closes when the process goes away
    } finally {
      ready.completeExceptionally(new IllegalStateException("nats-server exited"));
    }
  }

  private boolean lastLogMentions(String text) {
    synchronized (logTail) {
      return logTail.stream().anyMatch(l -> l.toLowerCase().contains(text));
    }
  }

  private String tail() {
    synchronized (logTail) {
      return String.join("\n", logTail);
    }
  }

  private static void terminate(Process p) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LIVE.remove(p);
  }

  private static void destroyAllForcibly() {
    for (Process p : LIVE) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** Processes started and not yet stopped, for leak checks. */
  static int liveProcessCount() {
    return (int) LIVE.stream().filter(Process::isAlive).count();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port on " + HOST, e);
    }
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
