package io.agentbus.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code agentbus} in this JVM with its own environment, stdin and captured output. */
final class Cli {
  private final Map<String, String> environment;

  Cli(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  static Cli on(String natsUrl) {
    return new Cli(Map.of("NATS_URL", natsUrl, "AGENTBUS_HEARTBEAT_INTERVAL", "1s"));
  }

  Cli with(String variable, String value) {
    Map<String, String> env = new HashMap<>(environment);
    env.put(variable, value);
    return new Cli(env);
  }

  Result run(String... args) {
    return runWithInput("", args);
  }

  Result runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AgentBusCli.run(new CliIo(environment,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out, true),
        new PrintWriter(err, true)), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** A command running on its own thread until it ends or is interrupted (as Ctrl-C does). */
  Running start(String... args) {
    return new Running(environment, args);
  }

  record Result(int exitCode, String out, String err) {}

  static final class Running {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    private final Thread thread;
    private volatile int exitCode = -1;

    Running(Map<String, String> environment, String[] args) {
      thread = new Thread(() -> exitCode = AgentBusCli.run(new CliIo(environment,
          new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true),
          new PrintWriter(err, true)), args), "agentbus-" + args[0]);
      thread.start();
    }

    String out() {
      return out.toString();
    }

    String err() {
      return err.toString();
    }

    /** Interrupts the command (as the Ctrl-C hook does) and waits for it to end. */
    int stop() throws InterruptedException {
      thread.interrupt();
      return join();
    }

    int join() throws InterruptedException {
      thread.join(15_000);
      if (thread.isAlive()) {
        throw new AssertionError("the command did not end: " + err());
      }
      return exitCode;
    }
  }
}
