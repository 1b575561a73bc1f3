package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.InvalidSubjectException;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The message {@code send} and {@code request} publish: type, content, sender, correlation id. */
final class MessageInput {
  @Parameters(index = "0", paramLabel = "TO",
      description = "The agent id; send also takes 'broadcast', 'team:<id>' or 'queue:<name>'.")
  String to;

  @Parameters(index = "1", paramLabel = "TYPE",
      description = "Message type: status_update, task_assignment, task_complete, task_failed, "
          + "question, answer, blocker, resource_request, resource_response, "
          + "coordination_request, heartbeat (or a type of your own).")
  String type;

  @Parameters(index = "2..*", arity = "0..*", paramLabel = "CONTENT",
      description = "The content: one JSON object ('{\"question\": \"ready?\"}'), or key=value "
          + "pairs (values are strings), or '-' to read JSON from stdin. Default: {}.")
  List<String> content = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Read the content (a JSON object) from FILE; '-' reads stdin.")
  @Nullable Path file;

  @Option(names = "--from", paramLabel = "ID", defaultValue = "agentbus-cli",
      description = "The sender's agent id (default: ${DEFAULT-VALUE}).")
  String fromAgent;

  @Option(names = "--correlation-id", paramLabel = "ID",
      description = "Correlation id to put on the message.")
  @Nullable String correlationId;

  MessageType messageType() {
    try {
      return MessageType.of(type);
    } catch (InvalidSubjectException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "Invalid message type '" + type + "': "
          + e.getMessage() + "; known types: " + MessageType.values().stream()
          .map(MessageType::wireName).toList() + ".", e);
    }
  }

  static String agentId(String id, String what) {
    try {
      return Subjects.requireToken(what, id);
    } catch (InvalidSubjectException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage()
          + " (an id is one subject token: no spaces, dots or wildcards)", e);
    }
  }

  Map<String, @Nullable Object> content(CliIo io) {
    if (file != null && !content.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "Give the content either as arguments or with "
          + "--file, not both.");
    }
    if (file != null) {
      return file.toString().equals("-") ? Json.content(stdin(io), "stdin")
          : Json.content(read(file), "file " + file);
    }
    if (content.isEmpty()) {
      return Map.of();
    }
    if (content.size() == 1 && content.get(0).equals("-")) {
      return Json.content(stdin(io), "stdin");
    }
    if (content.size() == 1 && !looksLikePair(content.get(0))) {
      return Json.content(content.get(0), "the argument");
    }
    Map<String, @Nullable Object> pairs = new LinkedHashMap<>();
    for (String arg : content) {
      if (!looksLikePair(arg)) {
        throw new CliException(ExitCode.INVALID_INPUT, "Invalid content argument '" + arg
            + "': give one JSON object, or key=value pairs.");
      }
      int eq = arg.indexOf('=');
      pairs.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return pairs;
  }

  AgentMessage message(@Nullable String toAgent, CliIo io) {
    return AgentMessage.builder()
        .fromAgent(agentId(fromAgent, "sender id (--from)"))
        .toAgent(toAgent)
        .messageType(messageType())
        .content(content(io))
        .correlationId(correlationId)
        .build();
  }

  private static boolean looksLikePair(String arg) {
    int eq = arg.indexOf('=');
    return eq > 0 && !arg.trim().startsWith("{");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "No such file: " + file + ".", e);
    } catch (IOException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "Cannot read " + file + ": " + e + ".", e);
    }
  }

  private static String stdin(CliIo io) {
    try {
      return new String(io.in().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "Cannot read stdin: " + e + ".", e);
    }
  }
}
