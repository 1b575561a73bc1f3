package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.QueueReceipt;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentbus send}: publishes one message in the seed's format. */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Publish one message in the seed's format and return once the server has it.",
        "TO is an agent id (direct message), 'broadcast', 'team:<id>' or 'queue:<name>'. A "
            + "direct message is fire-and-forget: use 'request' to know an agent is there."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:published", "3:no NATS server", "4:permission denied",
        "7:invalid content, type or target"})
final class SendCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin CommonOptions common;
  @Mixin MessageInput input;

  SendCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    String target = input.to;
    var config = common.config(io);
    String kind;
    String subject;
    @Nullable String toAgent = null;
    if (target.equals("broadcast")) {
      kind = "broadcast";
      subject = null;
    } else if (target.startsWith("team:")) {
      kind = "team";
      subject = MessageInput.agentId(target.substring(5), "team id");
    } else if (target.startsWith("queue:")) {
      kind = "queue";
      subject = MessageInput.agentId(target.substring(6), "queue name");
    } else {
      kind = "direct";
      toAgent = MessageInput.agentId(target, "agent id");
      subject = null;
    }
    AgentMessage message = input.message(toAgent, io);
    try (Session session = Session.open(config)) {
      var subjects = session.subjects();
      String published;
      @Nullable QueueReceipt receipt = null;
      switch (kind) {
        case "broadcast" -> published = subjects.broadcast(message.messageType());
        case "team" -> published = subjects.team(subject, message.messageType());
        case "queue" -> {
          published = subjects.queue(subject);
          receipt = session.bus().publishToQueue(subject, message, UUID.randomUUID().toString());
        }
        default -> published = subjects.direct(toAgent, message.messageType());
      }
      if (receipt == null) {
        session.bus().publish(published, message);
      }
      session.flush();
      if (common.json) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("subject", published);
        if (receipt != null) {
          out.put("stored", receipt.toString());
        }
        out.put("message", Json.message(message));
        io.out().println(Json.line(out));
      } else {
        io.out().println("sent " + message.messageType().wireName() + " to " + published
            + (receipt != null ? " (" + receipt + ")" : ""));
      }
      return ExitCode.OK;
    }
  }
}
