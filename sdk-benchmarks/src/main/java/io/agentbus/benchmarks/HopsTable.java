package io.agentbus.benchmarks;

import io.agentbus.benchmarks.SummaryTable.Row;
import io.agentbus.benchmarks.SummaryTable.Section;
import io.agentbus.benchmarks.SummaryTable.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The table of {@code bench/run.sh hops} ({@link HopsRun}): what the bus adds to a request and to
 * a message over its transport, against the targets of "requests without extra hops": the bus's
 * request/reply p50 within {@value #P50_MAX_RATIO}x of its transport alone on both transports, one
 * request at a time and {@value RawNatsRequestReplyBenchmark#IN_FLIGHT} in flight; its CPU per
 * message on NATS at most {@value #JSON_MAX_EXTRA_US} us above raw jnats with JSON and {@value
 * #PROTOBUF_MAX_EXTRA_US} us with Protobuf.
 */
final class HopsTable {
  static final double P50_MAX_RATIO = 1.15;
  static final double JSON_MAX_EXTRA_US = 0.5;
  static final double PROTOBUF_MAX_EXTRA_US = 0.35;

  private HopsTable() {}

  /** The table of one run's results (medians of its rounds). */
  static SummaryTable of(List<JmhResult> results) {
    return SummaryTable.of(results, t -> {
      t.add(requestReply(t, "lockstep", "one request at a time"));
      t.add(requestReply(t, "inFlight", RawNatsRequestReplyBenchmark.IN_FLIGHT + " in flight"));
      t.add(cpuPerMessage(t));
    });
  }

  private static Section requestReply(SummaryTable t, String variant, String shape) {
    List<Row> rows = new ArrayList<>();
    @Nullable JmhResult raw = t.find(SummaryTable.RAW_REQREP + variant, "payload", Codecs.JSON);
    rows.add(raw == null ? new Row("raw jnats", "-", "", "", "", Verdict.NO_RESULT)
        : new Row("raw jnats", SummaryTable.latencies(raw), "", "", "", Verdict.BASELINE));
    for (String transport : List.of(BusFixture.NATS, BusFixture.INMEMORY)) {
      String name = transport.equals(BusFixture.NATS) ? "NATS" : "in-memory";
      @Nullable JmhResult alone =
          t.find(SummaryTable.TRANSPORT_REQREP + variant, "transport", transport);
      @Nullable JmhResult bus = t.find(SummaryTable.BUS_REQREP + variant, "transport", transport,
          "codec", Codecs.JSON);
      boolean nats = transport.equals(BusFixture.NATS);
      rows.add(alone == null ? new Row(name + " transport alone", "-", "", "", "",
          Verdict.NO_RESULT)
          : new Row(name + " transport alone", SummaryTable.latencies(alone),
              nats && raw != null ? SummaryTable.latencies(raw) + " raw" : "",
              nats && raw != null ? SummaryTable.latencyRatios(alone, raw) : "", "",
              Verdict.BASELINE));
      String label = "MessageBus on " + name;
      String target = "p50 <= " + SummaryTable.fmt2(P50_MAX_RATIO) + "x";
      if (bus == null || alone == null) {
        rows.add(new Row(label, bus == null ? "-" : SummaryTable.latencies(bus),
            alone == null ? "no baseline" : "-", "-", target, Verdict.NO_RESULT));
        continue;
      }
      double p50 = bus.percentile(50.0) / alone.percentile(50.0);
      rows.add(new Row(label, SummaryTable.latencies(bus),
          SummaryTable.latencies(alone) + " alone", SummaryTable.latencyRatios(bus, alone), target,
          p50 <= P50_MAX_RATIO ? Verdict.MET : Verdict.MISSED));
    }
    return new Section("Request/reply, JSON, " + shape + ": p50 / p99 / p99.9 in us, the bus "
        + "against its transport alone", rows);
  }

  private static Section cpuPerMessage(SummaryTable t) {
    List<Row> rows = new ArrayList<>();
    rows.addAll(cpuRows(t, Codecs.JSON, "JSON", JSON_MAX_EXTRA_US));
    rows.addAll(cpuRows(t, Codecs.PROTOBUF, "Protobuf", PROTOBUF_MAX_EXTRA_US));
    return new Section("CPU per message on NATS, publish -> handler, 1 publisher -> 1 subscriber: "
        + "us of the benchmark JVM's CPU (all threads) per message, and messages/s", rows);
  }

  private static List<Row> cpuRows(SummaryTable t, String codec, String name, double maxExtra) {
    @Nullable JmhResult raw = t.find(SummaryTable.RAW_PUBSUB, "payload", codec, "fanout",
        BenchMessages.Fanout.ONE, "headers", "none");
    @Nullable JmhResult bus = t.find(SummaryTable.BUS_PUBSUB, "transport", BusFixture.NATS,
        "codec", codec, "fanout", BenchMessages.Fanout.ONE);
    @Nullable Double rawCpu = raw == null ? null : raw.secondary(SummaryTable.CPU_PER_OP_METRIC);
    String label = "MessageBus, " + name;
    List<Row> rows = new ArrayList<>();
    rows.add(rawCpu == null ? new Row("raw jnats, " + name + " bytes", "-", "", "", "",
        Verdict.NO_RESULT) : new Row("raw jnats, " + name + " bytes", cpu(raw, rawCpu), "", "",
            "", Verdict.BASELINE));
    if (codec.equals(Codecs.JSON)) {
      // the transport's subscriber hands each message from jnats' dispatcher to its handler pool
      rows.add(extraRow(t.find(SummaryTable.TRANSPORT_PUBSUB, "transport", BusFixture.NATS,
          "fanout", BenchMessages.Fanout.ONE), rawCpu, "NATS transport alone, JSON bytes",
          Double.NaN));
    }
    rows.add(extraRow(bus, rawCpu, label, maxExtra));
    return rows;
  }

  /**
   * A row of CPU per message against raw jnats': its target is at most {@code maxExtra} us more,
   * or none (a diagnostic row) when that is NaN.
   */
  private static Row extraRow(@Nullable JmhResult r, @Nullable Double rawCpu, String label,
      double maxExtra) {
    boolean info = Double.isNaN(maxExtra);
    String target = info ? "" : String.format(Locale.ROOT, "<= raw + %.2f us", maxExtra);
    @Nullable Double cpu = r == null ? null : r.secondary(SummaryTable.CPU_PER_OP_METRIC);
    if (cpu == null || rawCpu == null) {
      return new Row(label, cpu == null || r == null ? "-" : cpu(r, cpu), rawCpu == null ? "no baseline" : "-",
          "-", target, Verdict.NO_RESULT);
    }
    double extra = cpu - rawCpu;
    return new Row(label, cpu(Objects.requireNonNull(r), cpu),
        String.format(Locale.ROOT, "%.2f us raw", rawCpu),
        String.format(Locale.ROOT, "%+.2f us (%.2fx)", extra, cpu / rawCpu), target,
        info ? Verdict.INFO : extra <= maxExtra ? Verdict.MET : Verdict.MISSED);
  }

  private static String cpu(JmhResult r, double usPerMessage) {
    return String.format(Locale.ROOT, "%.2f us, %s", usPerMessage, SummaryTable.rate(r));
  }
}
