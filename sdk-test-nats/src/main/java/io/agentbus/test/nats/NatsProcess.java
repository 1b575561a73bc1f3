package io.agentbus.test.nats;

import io.nats.ClusterInsert;
import io.nats.ClusterNode;
import io.nats.NatsRunnerUtils;
import io.nats.NatsServerRunner;
import io.nats.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.LoggerFactory;

/**
 * A {@code nats-server} process on fixed loopback ports and a store directory that survive
 * {@link #stop()}, {@link #kill()} and {@link #start()}, run by {@code jnats-server-runner} (the
 * runner jnats' own tests use). The runner writes the configuration, starts the process and
 * waits until it answers; this class adds what the runner lacks: SIGKILL ({@link #kill()}) for
 * crash tests, the tail of the server's log, restarts on the same ports and store, and a JVM
 * shutdown hook that kills any server a test run leaves behind.
 *
 * <p>{@link NatsServerExtension} uses it for the usual case; fault tests create processes
 * themselves with {@link #create(String)}, join them with {@link #cluster}, kill them and start
 * them again on their store. Thread-safe.
 */
public final class NatsProcess implements NatsServer, AutoCloseable {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(NatsProcess.class);
  /** The loopback address servers listen on. */
  public static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final String READY = "Server is ready";
  private static final int LOG_TAIL = 200;
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(ProcessHandle::destroyForcibly), "agentbus-nats-server-reaper"));
  }

  private final Path binary;
  private final String name;
  private NatsServerSpec spec;
  private final Path dir;
  private final int port;
  private final int clusterPort;
  private final LogTail logTail;
  private String @Nullable [] clusterInserts;
  private @Nullable NatsServerRunner runner;
  private @Nullable ProcessHandle handle;
  private int starts;
  private boolean closed;

  private NatsProcess(Path binary, String name, NatsServerSpec spec, Path dir) {
    this.binary = binary;
    this.name = name;
    this.spec = spec;
    this.dir = dir;
    this.port = freePort();
    this.clusterPort = freePort();
    this.logTail = new LogTail(name);
  }

  /**
   * A JetStream server named {@code name} with its own temporary store; not started. Without a
   * {@code nats-server} binary the calling test is aborted (skipped), or fails under {@code
   * CI=true}.
   */
  public static NatsProcess create(String name) {
    return create(requireBinary(), name, NatsServerSpec.defaults());
  }

  /**
   * A server named {@code name} started as {@code spec} says, with its own temporary store; not
   * started. Without a {@code nats-server} binary the calling test is aborted (skipped), or fails
   * under {@code CI=true}.
   */
  public static NatsProcess create(String name, NatsServerSpec spec) {
    return create(requireBinary(), name, Objects.requireNonNull(spec, "spec"));
  }

  static NatsProcess create(Path binary, String name, NatsServerSpec spec) {
    try {
      return new NatsProcess(binary, name, spec, Files.createTempDirectory("agentbus-nats-"));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a directory for nats-server " + name, e);
    }
  }

  /**
   * Joins {@code nodes} into a cluster named {@code clusterName}, with routes to one another and
   * each node's server name as given to {@link #create(String)}. Call before starting them.
   */
  public static void cluster(String clusterName, List<NatsProcess> nodes) {
    List<ClusterNode> members = new ArrayList<>();
    for (NatsProcess n : nodes) {
      members.add(new ClusterNode(clusterName, n.name, HOST, n.port, n.clusterPort, null,
          n.spec.jetStream() ? n.dir.resolve("jetstream") : null));
    }
    List<ClusterInsert> inserts = NatsRunnerUtils.createClusterInserts(members);
    for (int i = 0; i < nodes.size(); i++) {
      synchronized (nodes.get(i)) {
        nodes.get(i).clusterInserts = inserts.get(i).configInserts;
      }
    }
  }

  /** The server name. */
  public String name() {
    return name;
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
    ProcessHandle h = handle;
    return h != null && h.isAlive();
  }

  @Override
  public boolean canRestart() {
    return true;
  }

  /** How many times it has been started. */
  public synchronized int starts() {
    return starts;
  }

  /**
   * Replaces the settings the server starts with (its authorization, for instance) from its next
   * {@link #start()} on; the same ports and store are kept. A running server keeps its old
   * settings until it is restarted ({@link #restart()}), as an operator's change takes effect.
   */
  public synchronized void reconfigure(NatsServerSpec newSpec) {
    this.spec = Objects.requireNonNull(newSpec, "newSpec");
  }

  /** The last lines the server logged, including those before it was last stopped or killed. */
  public String logTail() {
    return logTail.text();
  }

  /**
   * Starts the process on its ports and store and returns once it accepts clients. Does nothing
   * if it is running. A port still held by a process that just died is waited for.
   *
   * @throws StartFailure if it did not start; the message holds its log
   */
  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("This NATS server was already shut down for good");
    }
    if (isRunning()) {
      return;
    }
    StartFailure last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        launch();
        starts++;
        return;
      } catch (StartFailure e) {
        last = e;
        if (!e.addressInUse()) {
          throw e;
        }
        pause(100); // the port of a killed process is not free yet
      }
    }
    throw last;
  }

  /** Asks the server to shut down (SIGTERM), and kills it if it has not within 10 s. */
  @Override
  public synchronized void stop() {
    ProcessHandle h = handle;
    if (h == null) {
      return;
    }
    h.destroy();
    awaitExit(h, () -> {
      h.destroyForcibly();
      awaitExit(h, () -> {
        throw new IllegalStateException(this + " did not exit within " + STOP_TIMEOUT);
      });
    });
    release();
  }

  /** SIGKILL: no shutdown, no flush, no goodbye to clients or routes; waits until it is gone. */
  public synchronized void kill() {
    ProcessHandle h = handle;
    if (h == null) {
      return;
    }
    h.destroyForcibly();
    awaitExit(h, () -> {
      throw new IllegalStateException("nats-server " + name + " (pid " + h.pid()
          + ") did not die from SIGKILL within " + STOP_TIMEOUT);
    });
    release();
  }

  /** Stops the server for good and deletes its store directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    deleteRecursively(dir);
  }

  @Override
  public String toString() {
    return "nats-server " + name + " " + url() + " (" + spec + ")"
        + (isRunning() ? "" : " (down)");
  }

  // ------------------------------------------------------------------ internals

  private void launch() {
    CompletableFuture<Void> ready = logTail.expectReady();
    NatsServerRunner r;
    try {
      // readiness is the server's own log line, not the runner's connect check: that one waits
      // for the server's first PING, two seconds
      r = NatsServerRunner.builder()
          .executablePath(binary)
          .port(port)
          .configInserts(configLines())
          .output(logTail)
          .processCheckTries(1)
          .processCheckWait(50L)
          .skipConnectValidate()
          .build();
    } catch (IOException | RuntimeException e) {
      throw failure("it did not start: " + e.getMessage(), e);
    }
    ProcessHandle h = processOf(r).orElse(null);
    if (h == null) {
      stopQuietly(r);
      throw failure("it exited at once", null);
    }
    runner = r;
    handle = h;
    LIVE.add(h);
    h.onExit().thenRun(() -> LIVE.remove(h));
    try {
      CompletableFuture.anyOf(ready, h.onExit())
          .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw failure("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      kill();
      throw failure("no ready line within " + START_TIMEOUT.toSeconds() + " s", e);
    }
    if (!ready.isDone()) {
      release();
      throw failure("it exited", null);
    }
    log.debug("Started {} (pid {})", this, h.pid());
  }

  private StartFailure failure(String what, @Nullable Throwable cause) {
    pause(100); // the runner's reader thread may still be copying the last lines of the log
    String tail = logTail.text();
    return new StartFailure("nats-server " + name + " did not become ready: " + what
        + ". Its output:\n" + tail, tail,
        cause);
  }

  /** The runner starts the process but does not expose it: find it by its configuration file. */
  private static Optional<ProcessHandle> processOf(NatsServerRunner r) {
    String config = r.getConfigFile();
    return ProcessHandle.current().children()
        .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(config))
            .orElse(false))
        .findFirst();
  }

  private void release() {
    NatsServerRunner r = runner;
    runner = null;
    handle = null;
    if (r != null) {
      stopQuietly(r);
      try {
        Files.deleteIfExists(Path.of(r.getConfigFile()));
      } catch (IOException e) {
        log.debug("Could not delete {}", r.getConfigFile(), e);
      }
    }
  }

  private List<String> configLines() {
    List<String> lines = new ArrayList<>();
    if (spec.config() != null) {
      lines.addAll(spec.config().lines().toList());
    }
    lines.add("host: " + HOST);
    if (clusterInserts != null) {
      lines.addAll(List.of(clusterInserts)); // server name, store and routes
    } else {
      lines.add("server_name: " + quoted(name));
      if (spec.jetStream()) {
        lines.add("jetstream { store_dir: " + quoted(dir.resolve("jetstream").toString()) + " }");
      }
    }
    if (spec.user() != null) {
      lines.add("authorization { user: " + quoted(spec.user()) + ", password: "
          + quoted(String.valueOf(spec.password())) + " }");
    }
    if (spec.token() != null) {
      lines.add("authorization { token: " + quoted(spec.token()) + " }");
    }
    if (spec.tlsCert() != null) {
      lines.add("tls { cert_file: " + quoted(spec.tlsCert().toString()) + ", key_file: "
          + quoted(String.valueOf(spec.tlsKey())) + " }");
    }
    return lines;
  }

  private static String quoted(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static void awaitExit(ProcessHandle h, Runnable onTimeout) {
    try {
      h.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      onTimeout.run();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stopQuietly(NatsServerRunner r) {
    try {
      r.shutdown(false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Processes started and not yet gone, for leak checks. */
  static int liveCount() {
    return (int) LIVE.stream().filter(ProcessHandle::isAlive).count();
  }

  /**
   * The {@code nats-server} binary, found as {@link NatsServerExtension} finds it ({@code
   * NATS_SERVER_BIN}, the {@code PATH}, the usual install directories). Without one the calling
   * test is aborted (skipped), or fails under {@code CI=true}.
   *
   * @throws IllegalStateException under {@code CI=true} when there is none, or when {@code
   *     NATS_SERVER_BIN} names no executable file
   */
  public static Path requireBinary() {
    ServerLocator locator = ServerLocator.system();
    Path binary = locator.natsServerBinary();
    if (binary != null) {
      return binary;
    }
    String message = "This test starts nats-server processes itself and found none (looked at "
        + ServerLocator.NATS_SERVER_BIN + ", the PATH and " + ServerLocator.FALLBACK_DIRS
        + "). Install it (Debian/Ubuntu: apt-get install nats-server) or set "
        + ServerLocator.NATS_SERVER_BIN + ". Under CI=true this fails instead of skipping.";
    if (locator.isCi()) {
      throw new IllegalStateException(message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  /** A free TCP port. */
  static int freePort() {
    try {
      return NatsRunnerUtils.nextPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port", e);
    }
  }

  private static void pause(long millis) {
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

  /** The runner's output (its own notes and the server's log lines): kept as a tail. */
  private static final class LogTail implements Output {
    private final String name;
    private final Deque<String> lines = new ArrayDeque<>();
    private CompletableFuture<Void> ready = new CompletableFuture<>();

    LogTail(String name) {
      this.name = name;
    }

    /** Completes when the server logs that it is ready, from now on. */
    synchronized CompletableFuture<Void> expectReady() {
      ready = new CompletableFuture<>();
      return ready;
    }

    synchronized String text() {
      return String.join("\n", lines);
    }

    private synchronized void add(String line) {
      if (lines.size() == LOG_TAIL) {
        lines.removeFirst();
      }
      lines.addLast(line);
      if (line.contains(READY)) {
        ready.complete(null);
      }
      log.trace("nats-server {}: {}", name, line);
    }

    @Override
    public void setLevel(Level level) {
      // every line is kept
    }

    @Override
    public void error(Supplier<String> message) {
      add(message.get());
    }

    @Override
    public void error(String message) {
      add(message);
    }

    @Override
    public void warning(Supplier<String> message) {
      add(message.get());
    }

    @Override
    public void warning(String message) {
      add(message);
    }

    @Override
    public void info(Supplier<String> message) {
      add(message.get());
    }

    @Override
    public void info(String message) {
      add(message);
    }

    @Override
    public boolean isLogger() {
      return false;
    }

    @Override
    public @Nullable Logger getLogger() {
      return null;
    }
  }

  /** A server that did not start; {@link #addressInUse()} says whether to retry. */
  public static final class StartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final boolean addressInUse;

    StartFailure(String message, String log, @Nullable Throwable cause) {
      super(message, cause);
      this.addressInUse = (log + message).toLowerCase(Locale.ROOT)
          .contains("address already in use");
    }

    /** True if the server's port (or cluster port) was taken: another attempt may succeed. */
    public boolean addressInUse() {
      return addressInUse;
    }
  }
}
