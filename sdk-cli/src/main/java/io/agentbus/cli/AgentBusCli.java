package io.agentbus.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code agentbus} command: an operator's tool for a running AgentBus mesh. Run {@code
 * agentbus --help} for the commands; docs/cli.md describes each one and the exit codes.
 */
@Command(name = "agentbus", mixinStandardHelpOptions = true,
    versionProvider = AgentBusCli.Version.class,
    description = "Look at and talk to a running AgentBus mesh: live agents, the messages "
        + "flowing, requests, dead letters and durable queues.",
    subcommands = {
        AgentsCommand.class,
        TailCommand.class,
        SendCommand.class,
        RequestCommand.class,
        DlqCommand.class,
        QueuesCommand.class,
        DashboardCommand.class,
        AutoComplete.GenerateCompletion.class
    },
    footer = {"", "Connects as the agents do: NATS_URL, AGENTBUS_NAMESPACE and the other "
        + "agentbus.* keys (docs/configuration.md).",
        "Exit codes: 0 ok, 1 failed, 2 usage, 3 no server, 4 permission denied, 5 not found, "
            + "6 timeout, 7 invalid input, 8 partly failed, 130 interrupted."})
public final class AgentBusCli implements Runnable {
  @Spec CommandSpec spec;

  private AgentBusCli() {}

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
    // the SDK's logs would break one-line errors and parseable output; -v brings them back
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "off");
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    int code = run(new CliIo(System.getenv(), System.in, writer(System.out), writer(System.err)),
        args);
    System.exit(code);
  }

  private static PrintWriter writer(PrintStream stream) {
    return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
  }

  /** Runs one command line with the given environment and streams; returns the exit code. */
  static int run(CliIo io, String... args) {
    CommandLine cli = commandLine(io);
    try {
      return cli.execute(args);
    } finally {
      io.out().flush();
      io.err().flush();
    }
  }

  static CommandLine commandLine(CliIo io) {
    CommandLine cli = new CommandLine(new AgentBusCli(), new Factory(io));
    cli.setOut(io.out());
    cli.setErr(io.err());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      RuntimeException runtime = e instanceof RuntimeException r ? r
          : new IllegalStateException(e.toString(), e);
      CliException failure = Failures.translate(runtime);
      commandLine.getErr().println("agentbus: " + failure.getMessage());
      if (Arrays.asList(parseResult.originalArgs()).contains("-v")
          || Arrays.asList(parseResult.originalArgs()).contains("--verbose")) {
        e.printStackTrace(commandLine.getErr());
      }
      return failure.exitCode();
    });
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli;
  }

  /** Creates commands, handing {@link CliIo} to those that take it. */
  private static final class Factory implements CommandLine.IFactory {
    private final CliIo io;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    Factory(CliIo io) {
      this.io = io;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      for (Constructor<?> c : cls.getDeclaredConstructors()) {
        if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == CliIo.class) {
          c.setAccessible(true);
          return cls.cast(c.newInstance(io));
        }
        if (c.getParameterCount() == 0 && cls == AgentBusCli.class) {
          c.setAccessible(true);
          return cls.cast(c.newInstance());
        }
      }
      return fallback.create(cls);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AgentBusCli.class.getPackage().getImplementationVersion();
      return new String[] {"agentbus " + (v == null ? "(development build)" : v)};
    }
  }
}
