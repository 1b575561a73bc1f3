package io.agentbus.test.nats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One started {@code nats-server} child process and the tail of its log. {@link #launch} returns
 * once the server logged that it is ready; every live process is registered with a JVM shutdown
 * hook, so a test run that is killed or exits early leaves no server behind.
 *
 * <p>For tests that drive servers themselves (kill them, restart them on the same store, join them
 * in a cluster); {@link NatsServerExtension} covers the usual case.
 */
public final class NatsProcess {
  private static final Logger log = LoggerFactory.getLogger(NatsProcess.class);
  /** The loopback address servers listen on. */
  public static final String HOST = "127.0.0.1";
  private static final String READY = "Server is ready";
  private static final int LOG_TAIL = 200;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(
        new Thread(NatsProcess::destroyAllForcibly, "agentbus-nats-server-reaper"));
  }

  private final Process process;
  private final Deque<String> logTail;

  private NatsProcess(Process process, Deque<String> logTail) {
    this.process = process;
    this.logTail = logTail;
  }

  /** {@link #launch(List, Path, String, Duration, UnaryOperator)} for a command without secrets. */
  public static NatsProcess launch(List<String> command, Path workDir, String name,
      Duration timeout) {
    return launch(command, workDir, name, timeout, UnaryOperator.identity());
  }

  /**
   * Runs {@code command} in {@code workDir} and waits until the server is ready.
   *
   * @param name names the thread that reads the server's log
   * @param redact how to show the command in an error (to hide passwords)
   * @throws StartFailure if it could not be run, exited, or was not ready within {@code timeout}
   */
  public static NatsProcess launch(List<String> command, Path workDir, String name,
      Duration timeout, UnaryOperator<List<String>> redact) {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).directory(workDir.toFile())
          .start();
    } catch (IOException e) {
      throw new StartFailure("Could not run " + command.get(0) + ": " + e.getMessage(), "", e);
    }
    LIVE.add(p);
    p.onExit().thenRun(() -> LIVE.remove(p));
    Deque<String> tail = new ArrayDeque<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> pump(p, name, tail, ready),
        "agentbus-nats-server-log-" + name);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(p, timeout);
      throw new StartFailure("Interrupted while starting nats-server " + name, text(tail), e);
    } catch (ExecutionException | TimeoutException e) {
      terminate(p, timeout);
      throw new StartFailure("nats-server " + name + " did not become ready within "
          + timeout.toSeconds() + " s. Command: " + String.join(" ", redact.apply(command))
          + "\nIts output:\n" + text(tail), text(tail), e);
    }
    return new NatsProcess(p, tail);
  }

  /** The process. */
  public Process process() {
    return process;
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines the server logged. */
  public String logTail() {
    return text(logTail);
  }

  /** SIGKILL: no shutdown, no flush, no goodbye to clients or routes; waits until it is gone. */
  public void kill(Duration timeout) {
    process.destroyForcibly();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("nats-server (pid " + process.pid()
            + ") did not die from SIGKILL within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(process);
  }

  /** Asks the server to stop, and kills it if it has not within {@code timeout}. */
  public void terminate(Duration timeout) {
    terminate(process, timeout);
  }

  /** Processes launched and not yet gone. */
  static int liveCount() {
    return (int) LIVE.stream().filter(Process::isAlive).count();
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

  /** A free TCP port on {@link #HOST}. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port on " + HOST, e);
    }
  }

  private static void pump(Process p, String name, Deque<String> tail,
      CompletableFuture<Void> ready) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (tail) {
          if (tail.size() == LOG_TAIL) {
            tail.removeFirst();
          }
          tail.addLast(line);
        }
        log.trace("nats-server {}: {}", name, line);
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

  private static String text(Deque<String> tail) {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  private static void terminate(Process p, Duration timeout) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

  /** A server that did not start; {@link #addressInUse()} says whether to retry. */
  public static final class StartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final boolean addressInUse;

    StartFailure(String message, String log, Throwable cause) {
      super(message, cause);
      this.addressInUse = log.toLowerCase(Locale.ROOT).contains("address already in use");
    }

    /** True if the server's port (or cluster port) was taken: another attempt may succeed. */
    public boolean addressInUse() {
      return addressInUse;
    }
  }
}
