package io.agentbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentbus.Headers;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.QueueState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentbus queues}: the durable queues and how they are doing. */
@Command(name = "queues", mixinStandardHelpOptions = true,
    description = "List the durable work queues: depth (items stored), pending acks (delivered, "
        + "not yet acknowledged), redelivered items, items waiting for a worker, and how many "
        + "were dead-lettered.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed", "3:no NATS server", "5:no durable queue in the namespace"})
final class QueuesCommand implements Callable<Integer> {
  /** The durable consumer the SDK's workers share. */
  static final String WORKERS = "workers";

  private final CliIo io;
  @Mixin CommonOptions common;

  QueuesCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws InterruptedException {
    try (Session session = Session.open(common.config(io))) {
      String prefix = session.subjects().namespace() + ".queue.";
      List<Map<String, @Nullable Object>> rows = rows(session);
      if (common.json) {
        io.out().println(Json.line(rows));
      } else {
        String format = "%-24s %-32s %8s %12s %11s %8s %13s%n";
        io.out().printf(format, "QUEUE", "STREAM", "DEPTH", "PENDING-ACKS", "REDELIVERED",
            "WAITING", "DEAD-LETTERED");
        for (Map<String, @Nullable Object> r : rows) {
          io.out().printf(format, r.get("queue"), r.get("stream"), r.get("depth"),
              dash(r.get("pending_acks")), dash(r.get("redelivered")), dash(r.get("waiting")),
              r.get("dead_lettered"));
        }
      }
      if (rows.isEmpty()) {
        io.err().println("agentbus: no durable queue in namespace '"
            + session.subjects().namespace() + "' (streams capturing " + prefix + "*): "
            + "at-most-once queues keep nothing to count.");
        return ExitCode.NOT_FOUND;
      }
      return ExitCode.OK;
    }
  }

  /** One row per durable queue of the session's namespace: its stream's and workers' counts. */
  static List<Map<String, @Nullable Object>> rows(Session session) throws InterruptedException {
    JetStreamApi api = new JetStreamApi(session.transport(), Duration.ofSeconds(5));
    DurableStreams store = session.transport().durableStreams().orElseThrow(
        () -> new CliException(ExitCode.FAILED, session.transport() + " keeps no durable queues"));
    String prefix = session.subjects().namespace() + ".queue.";
    List<String> streams = api.streamNames(prefix + "*");
    Map<String, Long> deadLettered = deadLetteredByStream(session);
    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    for (String stream : streams) {
      JsonNode info = api.streamInfo(stream);
      String subject = info.path("config").path("subjects").path(0).asText();
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      row.put("queue", subject.startsWith(prefix) ? subject.substring(prefix.length()) : subject);
      row.put("stream", stream);
      // the figures the bus's own metrics report (MessageBus.queueState), from the same call
      Optional<QueueState> state = store.queueState(stream, WORKERS);
      Optional<QueueState> workers = state.filter(QueueState::consumerExists);
      row.put("depth", state.map(QueueState::stored)
          .orElse(info.path("state").path("messages").asLong()));
      row.put("pending_acks", workers.map(QueueState::pendingAcks).orElse(null));
      row.put("redelivered", workers.map(QueueState::redelivered).orElse(null));
      row.put("waiting", workers.map(QueueState::waiting).orElse(null));
      row.put("dead_lettered", deadLettered.getOrDefault(stream, 0L));
      rows.add(row);
    }
    return rows;
  }

  private static String dash(@Nullable Object o) {
    return o == null ? "-" : o.toString();
  }

  /** Kept dead letters counted by the queue stream they came from; empty when none are kept. */
  private static Map<String, Long> deadLetteredByStream(Session session)
      throws InterruptedException {
    Map<String, Long> counts = new HashMap<>();
    DeadLetterStore store;
    try {
      store = DeadLetterStore.open(session);
    } catch (CliException noStream) {
      return counts;
    }
    for (DeadLetterStore.Entry e : store.list(Integer.MAX_VALUE)) {
      String from = e.stored().headers().first(Headers.ORIGINAL_STREAM);
      if (from != null) {
        counts.merge(from, 1L, Long::sum);
      }
    }
    return counts;
  }
}
