package io.agentbus.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentbus dashboard}: a live web page of the mesh. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serve a live web page of the mesh: agents (table and who-talks-to-whom "
        + "graph) with state and heartbeat age, message rates by type, request latency "
        + "percentiles, recent messages, dead letters (with replay) and durable queue depths.",
        "Bound to loopback unless --host says otherwise; runs until Ctrl-C."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:the port is taken", "3:no NATS server"})
final class DashboardCommand implements Callable<Integer> {
  private final CliIo io;
  @Mixin CommonOptions common;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 exposes the page, "
          + "and its replay button, to the network).")
  String host;

  @Option(names = {"-p", "--port"}, defaultValue = "8090",
      description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  DashboardCommand(CliIo io) {
    this.io = io;
  }

  @SuppressWarnings("try") // UntilStopped is only closed, which ends the Ctrl-C wait
  @Override
  public Integer call() throws Exception {
    var config = common.config(io);
    // closed last: Ctrl-C's hook waits until the server, model and connection are closed too
    try (UntilStopped stop = new UntilStopped();
        Session session = Session.open(config);
        MeshModel model = new MeshModel(session, new AgentTracker(session.bus(),
            config.heartbeatInterval(), config.deadAfter()))) {
      model.start(Duration.ofSeconds(3));
      DashboardServer server = new DashboardServer(model, host, port, 1000);
      try {
        server.start();
      } catch (java.io.IOException e) {
        throw new CliException(ExitCode.FAILED, "Cannot listen on " + host + ":" + port + " ("
            + e.getMessage() + "): choose another port with --port.", e);
      }
      try (server) {
        var address = server.address();
        io.out().println("agentbus dashboard: http://" + address.getHostString() + ":"
            + address.getPort() + "/ (namespace '" + config.namespace() + "'; Ctrl-C to stop)");
        io.out().flush();
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          // Ctrl-C
        }
      }
      io.err().println("agentbus dashboard: stopped");
      return ExitCode.OK;
    }
  }
}
