package io.agentbus.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The seed's Python agents as a test partner: {@code interop/python} run with the Python of its
 * virtual environment, one pytest scenario per process.
 *
 * <p>The Python comes from {@code AGENTBUS_INTEROP_PYTHON} (a path to a {@code python}), else
 * {@code <dir>/.venv/bin/python}, where {@code <dir>} is the system property {@code
 * agentbus.interop.dir} (the module's pom sets it to {@code interop/python}). When it is missing or
 * lacks nats-py, the tests fail under {@code CI=true} and are skipped otherwise, with the command
 * that sets it up.
 */
final class PythonPeer {
  static final String PYTHON_ENV = "AGENTBUS_INTEROP_PYTHON";
  static final String DIR_PROPERTY = "agentbus.interop.dir";
  static final String SETUP = "python3 -m venv interop/python/.venv && "
      + "interop/python/.venv/bin/pip install -r interop/python/requirements.txt";
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final Path python;

  private PythonPeer(Path dir, Path python) {
    this.dir = dir;
    this.python = python;
  }

  /** The partner, checked to import nats-py and pytest; fails (CI) or skips without it. */
  static PythonPeer locate() {
    String dirProperty = System.getProperty(DIR_PROPERTY);
    if (dirProperty == null) {
      return unavailable("the system property " + DIR_PROPERTY + " is not set (the module's pom "
          + "sets it to interop/python)");
    }
    Path dir = Path.of(dirProperty).toAbsolutePath().normalize();
    String fromEnv = System.getenv(PYTHON_ENV);
    Path python = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv)
        : dir.resolve(".venv/bin/python");
    if (!Files.isExecutable(python)) {
      return unavailable("no Python at " + python + (fromEnv == null ? "" : " (" + PYTHON_ENV
          + ")"));
    }
    try {
      Process check = new ProcessBuilder(python.toString(), "-c",
          "import nats, pytest, pytest_asyncio")
          .directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!check.waitFor(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        check.destroyForcibly();
        return unavailable(python + " did not import nats-py within " + CHECK_TIMEOUT);
      }
      if (check.exitValue() != 0) {
        return unavailable(python + " cannot import nats-py, pytest and pytest-asyncio:\n"
            + out.strip());
      }
    } catch (IOException e) {
      return unavailable("could not run " + python + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new PythonPeer(dir, python);
  }

  private static PythonPeer unavailable(String why) {
    String message = "The Python partner of the interop suite is not set up: " + why
        + ". Create it with: " + SETUP + " (from the repository root; .ci/run does this)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    // surefire does not show why a whole class was skipped, so say it here
    System.out.println("[interop] skipped: " + message);
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  /**
   * Starts pytest on {@code scenario} (a test file of {@code tests/}, or {@code file::test})
   * against the server at {@code url}.
   */
  Run start(String scenario, String url) {
    ProcessBuilder pb = new ProcessBuilder(python.toString(), "-m", "pytest", "-q", "-s",
        "--no-header", "-p", "no:cacheprovider", "tests/" + scenario)
        .directory(dir.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("NATS_URL", url);
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    try {
      return new Run(scenario, pb.start());
    } catch (IOException e) {
      throw new IllegalStateException("Could not start " + python + " for " + scenario, e);
    }
  }

  /**
   * One running scenario. Its output is read as it comes: a line {@code INTEROP <EVENT> rest}
   * completes the wait for {@code EVENT}; the process ending first fails every wait, with its
   * output.
   */
  static final class Run implements AutoCloseable {
    private static final String PREFIX = "INTEROP ";
    private final String scenario;
    private final Process process;
    private final List<String> output = new ArrayList<>(); // guarded by itself
    private final Map<String, CompletableFuture<String>> events = new ConcurrentHashMap<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private Run(String scenario, Process process) {
      this.scenario = scenario;
      this.process = process;
      Thread reader = new Thread(this::read, "python-" + scenario);
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (output) {
            output.add(line);
          }
          // pytest -q prints its progress dots without a newline, before a test's own output
          int at = line.indexOf(PREFIX);
          if (at >= 0 && line.substring(0, at).matches("[.sFExX]*")) {
            String rest = line.substring(at + PREFIX.length());
            int space = rest.indexOf(' ');
            String event = space < 0 ? rest : rest.substring(0, space);
            event(event).complete(space < 0 ? "" : rest.substring(space + 1));
          }
        }
        int code = process.waitFor();
        exit.complete(code);
      } catch (IOException | InterruptedException e) {
        exit.completeExceptionally(e);
      } finally {
        IllegalStateException ended = new IllegalStateException("ended");
        events.values().forEach(f -> f.completeExceptionally(ended));
      }
    }

    private CompletableFuture<String> event(String name) {
      return events.computeIfAbsent(name, n -> new CompletableFuture<>());
    }

    /** Waits for the Python side to print {@code INTEROP <name>}; returns the rest of the line. */
    String await(String name, Duration timeout) {
      try {
        return event(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw failure("ended before it printed 'INTEROP " + name + "'");
      } catch (TimeoutException e) {
        throw failure("did not print 'INTEROP " + name + "' within " + timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure("was waited for by an interrupted thread");
      }
    }

    /**
     * Waits for the scenario to end and fails, with its output, unless pytest passed exactly
     * {@code tests} tests and skipped none.
     */
    void awaitPassed(int tests, Duration timeout) {
      int code;
      try {
        code = exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        process.destroyForcibly();
        throw failure("did not end within " + timeout);
      } catch (ExecutionException e) {
        throw failure("could not be read: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure("was waited for by an interrupted thread");
      }
      if (code != 0) {
        throw failure("failed (pytest exit code " + code + ")");
      }
      if (!lastLine().matches("(=+ )?" + tests + " passed(, \\d+ warnings?)? in .*")) {
        throw failure("did not pass exactly " + tests + " test(s) with none skipped");
      }
    }

    /** What the Python side said it sent, as its {@code INTEROP SENT} line has it. */
    String sent() {
      return reported("SENT");
    }

    /** What the Python side said it received. */
    String received() {
      return reported("RECEIVED");
    }

    private String reported(String event) {
      return event(event).handle((line, e) -> e == null ? line : "(not reported)")
          .getNow("(not reported)");
    }

    /** pytest's last line, such as {@code 4 passed in 0.21s}. */
    String summary() {
      return lastLine();
    }

    private String lastLine() {
      synchronized (output) {
        for (int i = output.size() - 1; i >= 0; i--) {
          if (!output.get(i).isBlank()) {
            return output.get(i);
          }
        }
        return "";
      }
    }

    AssertionError failure(String what) {
      String out;
      synchronized (output) {
        out = String.join("\n", output);
      }
      return new AssertionError("The Python side of '" + scenario + "' " + what
          + ". Its output:\n" + out);
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
