package io.agentbus.cli;

import io.agentbus.AgentMessage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentbus request}: asks one agent and prints its reply. */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = "Send a request to an agent on its direct subject and print the reply.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:replied", "3:no NATS server", "4:permission denied",
        "5:no agent listens (unknown agent)", "6:no reply within --timeout",
        "7:invalid content, type or agent id", "1:the agent's handler failed"})
final class RequestCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin CommonOptions common;
  @Mixin MessageInput input;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
      description = "How long to wait for the reply (default: agentbus.request.timeout, 5s).")
  @Nullable Duration timeout;

  RequestCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws InterruptedException {
    var config = common.config(io);
    String to = MessageInput.agentId(input.to, "agent id");
    AgentMessage message = input.message(to, io);
    Duration wait = timeout != null ? timeout : config.requestTimeout();
    try (Session session = Session.open(config)) {
      String subject = session.subjects().direct(to, message.messageType());
      long start = System.nanoTime();
      AgentMessage reply;
      try {
        reply = session.bus().requestAsync(subject, message, wait).get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r
            : new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (common.json) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("subject", subject);
        out.put("elapsed_ms", took.toMillis());
        out.put("reply", Json.message(reply));
        io.out().println(Json.line(out));
      } else {
        io.out().println("reply from " + reply.fromAgent() + ": " + reply.messageType().wireName()
            + (reply.correlationId() == null ? "" : " corr=" + reply.correlationId())
            + " in " + took.toMillis() + " ms");
        io.out().println(Json.pretty(reply.content()));
      }
      return ExitCode.OK;
    }
  }
}
