package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.Subjects;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentbus tail}: the messages as they flow, decoded, one line each. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Print the messages of the mesh as they flow, whatever their codec, one line "
        + "each: time, subject kind, from -> to, type, correlation id, content.",
        "Runs until Ctrl-C (or --count messages), then prints how many it saw to stderr."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped (Ctrl-C: 130, from the shell)", "3:no NATS server",
        "4:permission denied", "7:invalid pattern"})
final class TailCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin CommonOptions common;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PATTERN",
      description = "Subject pattern (NATS wildcards * and >), relative to the namespace unless "
          + "it starts with it: 'agent.architect-001.*', 'broadcast.>'. Default: everything "
          + "in the namespace.")
  @Nullable String pattern;

  @Option(names = "--agent", paramLabel = "ID", description = "Only messages from or to this agent.")
  List<String> agents = new ArrayList<>();

  @Option(names = "--from", paramLabel = "ID", description = "Only messages from this agent.")
  List<String> from = new ArrayList<>();

  @Option(names = "--to", paramLabel = "ID", description = "Only messages sent directly to this agent.")
  List<String> to = new ArrayList<>();

  @Option(names = {"-t", "--type"}, paramLabel = "TYPE",
      description = "Only messages of this type (heartbeat, question, ...); repeatable.")
  List<String> types = new ArrayList<>();

  @Option(names = "--team", paramLabel = "TEAM", description = "Only messages to this team.")
  List<String> teams = new ArrayList<>();

  @Option(names = "--queue", paramLabel = "QUEUE", description = "Only items of this work queue.")
  List<String> queues = new ArrayList<>();

  @Option(names = "--raw", description = "Print the subject, headers and payload bytes "
      + "(text when UTF-8, else base64) instead of the decoded message.")
  boolean raw;

  @Option(names = {"-c", "--count"}, paramLabel = "N",
      description = "Stop after N printed messages.")
  long count;

  TailCommand(CliIo io) {
    this.io = io;
  }

  @SuppressWarnings("try") // UntilStopped is only closed, which ends the Ctrl-C wait
  @Override
  public Integer call() throws Exception {
    var config = common.config(io);
    String subject = subjectPattern(config.namespace());
    AtomicLong seen = new AtomicLong();
    AtomicLong undecodable = new AtomicLong();
    // the subscription's thread hands lines to this one, which prints: output stays in order and
    // a slow terminal does not hold up the connection
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
    AtomicLong dropped = new AtomicLong();
    // closed last: Ctrl-C's hook waits until the connection is closed too
    try (UntilStopped stop = new UntilStopped(); Session session = Session.open(config)) {
      TransportSubscription sub = session.transport().subscribe(subject, null, raw -> {
        String line = format(session, raw, undecodable);
        if (line != null && !lines.offer(line)) {
          dropped.incrementAndGet();
        }
      });
      session.flush();
      io.err().println("agentbus tail: listening on " + subject + " (Ctrl-C to stop)");
      io.err().flush();
      try {
        while (count <= 0 || seen.get() < count) {
          io.out().println(lines.take());
          seen.incrementAndGet();
          if (lines.isEmpty()) {
            io.out().flush();
          }
        }
      } catch (InterruptedException e) {
        // Ctrl-C: fall through to the summary
      } finally {
        sub.unsubscribe();
        io.out().flush();
        io.err().println("agentbus tail: " + seen.get() + " message(s) on " + subject
            + (undecodable.get() > 0 ? ", " + undecodable.get() + " undecodable" : "")
            + (dropped.get() > 0 ? ", " + dropped.get() + " dropped (output too slow)" : ""));
        io.err().flush();
      }
    }
    return ExitCode.OK;
  }

  String subjectPattern(String namespace) {
    if (pattern == null || pattern.isBlank()) {
      return namespace + ".>";
    }
    String p = pattern.equals(namespace) || pattern.startsWith(namespace + ".")
        || pattern.startsWith("_INBOX") ? pattern : namespace + "." + pattern;
    try {
      return Subjects.requirePattern("subject pattern", p);
    } catch (RuntimeException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage()
          + " (tokens separated by '.', wildcards '*' for one token and '>' for the rest)", e);
    }
  }

  private @Nullable String format(Session session, TransportMessage rawMessage,
      AtomicLong undecodable) {
    Instant now = Instant.now();
    String ns = session.subjects().namespace();
    Route route = Route.of(ns, rawMessage.subject());
    AgentMessage m;
    try {
      m = session.codecFor(rawMessage).decode(rawMessage.payload());
    } catch (CodecException e) {
      undecodable.incrementAndGet();
      if (!raw && (!from.isEmpty() || !to.isEmpty() || !agents.isEmpty() || !types.isEmpty())) {
        return null; // cannot match a filter on fields it does not have
      }
      if (raw) {
        return common.json ? Json.line(MessageLines.rawJson(now, rawMessage))
            : MessageLines.raw(now, rawMessage);
      }
      if (common.json) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>(MessageLines.rawJson(now,
            rawMessage));
        out.put("error", e.getMessage());
        return Json.line(out);
      }
      return MessageLines.raw(now, rawMessage) + "\n  (undecodable: " + e.getMessage() + ")";
    }
    if (!matches(route, m)) {
      return null;
    }
    if (raw) {
      return common.json ? Json.line(MessageLines.rawJson(now, rawMessage))
          : MessageLines.raw(now, rawMessage);
    }
    return common.json ? Json.line(MessageLines.json(now, rawMessage.subject(), route, m))
        : MessageLines.text(now, route, m);
  }

  private boolean matches(Route route, AgentMessage m) {
    if (!from.isEmpty() && !from.contains(m.fromAgent())) {
      return false;
    }
    String target = m.toAgent() != null ? m.toAgent()
        : route.kind().equals("direct") ? route.target() : null;
    if (!to.isEmpty() && !to.contains(target)) {
      return false;
    }
    if (!agents.isEmpty() && !agents.contains(m.fromAgent()) && !agents.contains(target)) {
      return false;
    }
    if (!types.isEmpty() && !types.contains(m.messageType().wireName())) {
      return false;
    }
    if (!teams.isEmpty() && !(route.kind().equals("team") && teams.contains(route.target()))) {
      return false;
    }
    return queues.isEmpty() || (route.kind().equals("queue") && queues.contains(route.target()));
  }
}
