package io.agentbus.cli;

import io.agentbus.Headers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentbus dlq}: the kept dead letters; list, show, replay, purge. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "The dead letters kept in the dead-letter stream: items a durable queue gave up "
        + "on, with their error and original subject. Replay them once the cause is fixed.",
    subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Show.class,
        DlqCommand.Replay.class, DlqCommand.Purge.class})
final class DlqCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: list, show, replay or purge");
  }

  static String shorten(@Nullable String s, int max) {
    if (s == null) {
      return "-";
    }
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 3) + "...";
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the dead letters, oldest first: sequence, time, original subject, "
          + "deliveries, error, and the message's sender, receiver and type.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:listed (also when there are none)", "3:no NATS server",
          "5:no dead-letter stream"})
  static final class ListDeadLetters implements Callable<Integer> {
    private final CliIo io;
    @Mixin CommonOptions common;

    @Option(names = "--limit", defaultValue = "100", description = "At most N (default 100).")
    int limit;

    ListDeadLetters(CliIo io) {
      this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
      try (Session session = Session.open(common.config(io))) {
        DeadLetterStore store = DeadLetterStore.open(session);
        List<DeadLetterStore.Entry> entries = store.list(limit);
        if (common.json) {
          io.out().println(Json.line(entries.stream().map(DeadLetterStore.Entry::json).toList()));
          return ExitCode.OK;
        }
        String format = "%-6s %-24s %-40s %-4s %-32s %s%n";
        io.out().printf(format, "SEQ", "TIME", "ORIGINAL SUBJECT", "DLV", "MESSAGE", "ERROR");
        for (DeadLetterStore.Entry e : entries) {
          String message = e.message() == null ? "(undecodable)"
              : e.message().fromAgent() + " " + e.message().messageType().wireName();
          io.out().printf(format, e.stored().sequence(), e.stored().time(),
              shorten(e.originalSubject(), 40),
              Optional.ofNullable(e.stored().headers().first(Headers.DELIVERY_COUNT)).orElse("-"),
              shorten(message, 32), shorten(e.error(), 100));
        }
        io.err().println(entries.size() + " dead letter(s) in " + store.stream());
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one dead letter whole: headers, error, and the decoded message.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:shown", "5:no such dead letter or no dead-letter stream"})
  static final class Show implements Callable<Integer> {
    private final CliIo io;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "SEQ", description = "Its sequence number (from 'dlq list').")
    long sequence;

    Show(CliIo io) {
      this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
      try (Session session = Session.open(common.config(io))) {
        DeadLetterStore store = DeadLetterStore.open(session);
        DeadLetterStore.Entry e = store.get(sequence).orElseThrow(() -> new CliException(
            ExitCode.NOT_FOUND, "No dead letter #" + sequence + " in " + store.stream()
            + ": see 'agentbus dlq list'."));
        io.out().println(common.json ? Json.line(e.json()) : Json.pretty(e.json()));
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = {"Publish dead letters again to their original subject, marked with the "
          + "header " + DeadLetterStore.REPLAY_HEADER + ": <stream>/<seq>, and report each "
          + "outcome.",
          "A dead letter is removed only once its replay was accepted: stored by the queue's "
              + "stream (a replay repeated is stored once), or, for a subject no stream keeps, "
              + "received by the server. --keep keeps it anyway."},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:every one replayed", "5:none found", "8:some failed or were not found"})
  static final class Replay implements Callable<Integer> {
    private final CliIo io;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "SEQ", arity = "0..*", description = "Sequence numbers to replay.")
    List<Long> sequences = new ArrayList<>();

    @Option(names = "--all", description = "Replay every dead letter (up to --limit).")
    boolean all;

    @Option(names = "--limit", defaultValue = "1000", description = "With --all: at most N.")
    int limit;

    @Option(names = "--keep", description = "Keep the dead letters after a successful replay.")
    boolean keep;

    Replay(CliIo io) {
      this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
      if (all == !sequences.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "Name the dead letters to replay (SEQ...) or "
            + "give --all, not both.");
      }
      try (Session session = Session.open(common.config(io))) {
        DeadLetterStore store = DeadLetterStore.open(session);
        List<Long> selected = all ? store.list(limit).stream().map(e -> e.stored().sequence())
            .toList() : sequences;
        int ok = 0;
        int failed = 0;
        for (long seq : selected) {
          Map<String, @Nullable Object> outcome = store.replay(seq, keep);
          if ("failed".equals(outcome.get("outcome")) || "not found".equals(outcome.get("outcome"))) {
            failed++;
          } else {
            ok++;
          }
          if (common.json) {
            io.out().println(Json.line(outcome));
          } else {
            io.out().println(text(outcome));
          }
          io.out().flush();
        }
        io.err().println("replayed " + ok + " of " + selected.size() + " dead letter(s)");
        if (failed == 0) {
          return ExitCode.OK;
        }
        return ok == 0 ? ExitCode.NOT_FOUND : ExitCode.PARTIAL;
      }
    }

    private static String text(Map<String, @Nullable Object> o) {
      StringBuilder b = new StringBuilder("#" + o.get("seq") + " " + o.get("outcome"));
      if (o.get("subject") != null) {
        b.append(" -> ").append(o.get("subject"));
      }
      if (o.get("stored_in") != null) {
        b.append(" (stored in ").append(o.get("stored_in")).append(" #")
            .append(o.get("stored_seq")).append(Boolean.TRUE.equals(o.get("duplicate"))
                ? ", a replay repeated" : "").append(')');
      }
      if (o.get("error") != null) {
        b.append(": ").append(o.get("error"));
      }
      b.append(Boolean.TRUE.equals(o.get("removed")) ? "; removed from dead letters"
          : "; kept in dead letters");
      return b.toString();
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = "Remove dead letters for good: the ones named, or every one with --all.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:removed", "5:none of those found", "8:some not found"})
  static final class Purge implements Callable<Integer> {
    private final CliIo io;
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "SEQ", arity = "0..*", description = "Sequence numbers to remove.")
    List<Long> sequences = new ArrayList<>();

    @Option(names = "--all", description = "Remove every dead letter.")
    boolean all;

    Purge(CliIo io) {
      this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
      if (all == !sequences.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "Name the dead letters to remove (SEQ...) or "
            + "give --all, not both.");
      }
      try (Session session = Session.open(common.config(io))) {
        DeadLetterStore store = DeadLetterStore.open(session);
        long removed;
        int missing = 0;
        if (all) {
          removed = store.api().purge(store.stream());
        } else {
          removed = 0;
          for (long seq : sequences) {
            if (store.api().delete(store.stream(), seq)) {
              removed++;
            } else {
              missing++;
              io.err().println("agentbus: no dead letter #" + seq + " in " + store.stream());
            }
          }
        }
        if (common.json) {
          io.out().println(Json.line(Map.of("stream", store.stream(), "removed", removed,
              "not_found", missing)));
        } else {
          io.out().println("removed " + removed + " dead letter(s) from " + store.stream());
        }
        if (missing == 0) {
          return ExitCode.OK;
        }
        return removed == 0 ? ExitCode.NOT_FOUND : ExitCode.PARTIAL;
      }
    }
  }
}
