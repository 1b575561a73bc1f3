package io.agentbus.benchmarks;

import io.agentbus.AgentMessage;
import io.agentbus.spi.Codec;
import io.agentbus.test.SeedFixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The one table a benchmark run ends with: every figure beside its baseline from the same run,
 * their ratio, the target from the benchmarks issue, and whether it was met. Built from JMH's JSON
 * results only (plus the encoded sizes, which it computes from the same codecs), so that a saved
 * run can be rendered again. Results of one benchmark from several rounds count as {@linkplain
 * JmhResult#medianOfRounds their median}; when the rounds are {@linkplain #ofRounds told apart},
 * each target also says in how many rounds it was met, each round's figure against the same
 * round's baseline, so that a median at the line shows whether it is the line or the machine.
 */
final class SummaryTable {
  /** JMH benchmark names ({@code Class.method}) the table reads. */
  static final String RAW_PUBSUB = "RawNatsPubSubBenchmark.publishAndReceive";
  static final String BUS_PUBSUB = "BusPubSubBenchmark.publishAndReceive";
  static final String TRANSPORT_PUBSUB = "TransportPubSubBenchmark.publishAndReceive";
  static final String TRANSPORT_REQREP = "TransportRequestReplyBenchmark.";
  static final String RAW_REQREP = "RawNatsRequestReplyBenchmark.";
  static final String BUS_REQREP = "BusRequestReplyBenchmark.";
  static final String PINGPONG = "QueuePingPongBenchmark.";
  static final String CODEC = "CodecBenchmark.";
  static final String HEARTBEAT = "HeartbeatCostBenchmark.idle";
  static final String OBSERVE = "ObservabilityOverheadBenchmark.";
  static final String CPU_METRIC = "cpu.percentOfOneCore";
  static final String HEAP_METRIC = "heap.usedAfterGc";
  static final String HEARTBEATS_METRIC = "heartbeats";
  static final String CPU_PER_OP_METRIC = "cpu.usPerOp";

  static final double NATS_JSON_MIN_RATIO = 0.70;
  static final double NATS_PROTOBUF_MIN_RATIO = 0.85;
  static final double INMEM_JSON_MIN_RATE = 1_000_000;
  static final double INMEM_PROTOBUF_MIN_RATE = 2_000_000;
  static final double NATS_P50_MAX_RATIO = 1.15;
  static final double NATS_P99_MAX_RATIO = 1.30;
  static final double INMEM_P50_MAX_RATIO = 1.5;
  static final double HEARTBEAT_MAX_CPU_PERCENT = 5.0;

  /** Whether a row met its target. */
  enum Verdict {
    MET("ok"),
    MISSED("MISSED"),
    BASELINE("baseline"),
    INFO(""),
    NO_RESULT("NO RESULT");

    final String text;

    Verdict(String text) {
      this.text = text;
    }
  }

  /**
   * One line of the table.
   *
   * @param roundsMet for a row with a target, in how many rounds it was met (each round's figure
   *     against that round's baseline)
   * @param roundsJudged in how many rounds the row had a figure and a baseline; 0 when the results
   *     were not told apart by round
   */
  record Row(String label, String figure, String baseline, String ratio, String target,
      Verdict verdict, int roundsMet, int roundsJudged) {
    Row(String label, String figure, String baseline, String ratio, String target,
        Verdict verdict) {
      this(label, figure, baseline, ratio, target, verdict, 0, 0);
    }

    Row withRounds(int met, int judged) {
      return new Row(label, figure, baseline, ratio, target, verdict, met, judged);
    }

    /** "met in 2 of 3 rounds", or "" when fewer than two rounds judged this row. */
    String rounds() {
      return roundsJudged < 2 ? "" : "met in " + roundsMet + " of " + roundsJudged + " rounds";
    }
  }

  /** A titled group of rows. */
  record Section(String title, List<Row> rows) {}

  private final List<JmhResult> results;
  private final List<Section> sections = new ArrayList<>();

  private SummaryTable(List<JmhResult> results) {
    this.results = JmhResult.medianOfRounds(results);
  }

  /**
   * A table of other sections over {@code results} (their medians of rounds): {@code fill} adds
   * them with {@link #add}, reading results with {@link #find}.
   */
  static SummaryTable of(List<JmhResult> results, Consumer<SummaryTable> fill) {
    SummaryTable t = new SummaryTable(results);
    fill.accept(t);
    return t;
  }

  void add(Section section) {
    sections.add(section);
  }

  static SummaryTable of(List<JmhResult> results) {
    SummaryTable t = new SummaryTable(results);
    t.pubSub(BenchMessages.Fanout.ONE, "1 publisher -> 1 subscriber");
    t.pubSub(BenchMessages.Fanout.QUEUE3, "1 publisher -> queue group of 3 workers");
    t.requestReply("lockstep", "one request at a time");
    t.requestReply("inFlight", RawNatsRequestReplyBenchmark.IN_FLIGHT
        + " requesting threads (" + RawNatsRequestReplyBenchmark.IN_FLIGHT + " in flight)");
    t.codecs();
    t.heartbeats();
    t.observability();
    return t;
  }

  /**
   * The table of a run in rounds, each round's results apart: every figure is the median of its
   * rounds, as for {@link #of}, and every row with a target also counts the rounds in which it was
   * met, each round's figure against that round's baseline. A round without a row's figure or
   * baseline is not counted for it.
   */
  static SummaryTable ofRounds(List<List<JmhResult>> rounds) {
    return ofRounds(rounds, SummaryTable::of);
  }

  /** As {@link #ofRounds(List)}, for a table that {@code build} makes of results. */
  static SummaryTable ofRounds(List<List<JmhResult>> rounds,
      Function<List<JmhResult>, SummaryTable> build) {
    SummaryTable t = build.apply(rounds.stream().flatMap(List::stream).toList());
    if (rounds.size() < 2) {
      return t;
    }
    List<SummaryTable> each = rounds.stream().map(build).toList();
    for (int i = 0; i < t.sections.size(); i++) {
      Section section = t.sections.get(i);
      List<Row> rows = new ArrayList<>();
      for (Row row : section.rows()) {
        rows.add(row.verdict() == Verdict.MET || row.verdict() == Verdict.MISSED
            ? roundsOf(row, each, i) : row);
      }
      t.sections.set(i, new Section(section.title(), rows));
    }
    return t;
  }

  /** {@code row} with the count of the rounds (tables of one round each) that met its target. */
  private static Row roundsOf(Row row, List<SummaryTable> rounds, int section) {
    int met = 0;
    int judged = 0;
    for (SummaryTable round : rounds) {
      for (Row r : round.sections.get(section).rows()) {
        if (r.label().equals(row.label())
            && (r.verdict() == Verdict.MET || r.verdict() == Verdict.MISSED)) {
          judged++;
          met += r.verdict() == Verdict.MET ? 1 : 0;
        }
      }
    }
    return row.withRounds(met, judged);
  }

  List<Section> sections() {
    return sections;
  }

  /** True when some figure the table expects has no result (a benchmark failed or was skipped). */
  boolean anyMissing() {
    return anyMissingIn(title -> true);
  }

  /** As {@link #anyMissing()}, in the sections whose titles {@code sections} accepts. */
  boolean anyMissingIn(Predicate<String> sections) {
    return this.sections.stream().filter(s -> sections.test(s.title()))
        .flatMap(s -> s.rows().stream()).anyMatch(r -> r.verdict() == Verdict.NO_RESULT);
  }

  /** True when a figure with a target did not meet it. */
  boolean anyMissed() {
    return sections.stream().flatMap(s -> s.rows().stream())
        .anyMatch(r -> r.verdict() == Verdict.MISSED);
  }

  // ------------------------------------------------------------------ pub/sub

  private void pubSub(String fanout, String shape) {
    List<Row> rows = new ArrayList<>();
    @Nullable JmhResult rawJson = rawPubSub(Codecs.JSON, fanout, "none");
    @Nullable JmhResult rawProto = rawPubSub(Codecs.PROTOBUF, fanout, "none");
    rows.add(baselineRow("raw jnats, JSON bytes", rawJson, SummaryTable::throughput));
    rows.add(rawWithHeaderThroughput("raw jnats, JSON bytes + Content-Type header", Codecs.JSON,
        fanout, rawJson));
    rows.add(transportThroughput("NATS transport alone, JSON bytes", "nats", fanout, rawJson));
    rows.add(natsThroughput("MessageBus on NATS, JSON", Codecs.JSON, fanout, rawJson,
        NATS_JSON_MIN_RATIO));
    rows.add(baselineRow("raw jnats, Protobuf bytes", rawProto, SummaryTable::throughput));
    rows.add(rawWithHeaderThroughput("raw jnats, Protobuf bytes + Content-Type header",
        Codecs.PROTOBUF, fanout, rawProto));
    rows.add(natsThroughput("MessageBus on NATS, Protobuf", Codecs.PROTOBUF, fanout, rawProto,
        NATS_PROTOBUF_MIN_RATIO));
    rows.add(transportThroughput("in-memory transport alone, JSON bytes", "inmemory", fanout,
        rawJson));
    rows.add(inMemoryThroughput("MessageBus in memory, JSON", Codecs.JSON, fanout, rawJson,
        INMEM_JSON_MIN_RATE));
    rows.add(inMemoryThroughput("MessageBus in memory, Protobuf", Codecs.PROTOBUF, fanout,
        rawProto, INMEM_PROTOBUF_MIN_RATE));
    sections.add(new Section("Pub/sub throughput, messages/s received end to end, " + shape,
        rows));
  }

  /** Raw jnats pub/sub; {@code headers} is none (the baseline) or content-type. */
  private @Nullable JmhResult rawPubSub(String payload, String fanout, String headers) {
    @Nullable JmhResult r = find(RAW_PUBSUB, "payload", payload, "fanout", fanout, "headers",
        headers);
    // results from before the headers parameter had two values carry no such parameter
    return r != null || !headers.equals("none") ? r
        : find(RAW_PUBSUB, "payload", payload, "fanout", fanout);
  }

  /**
   * A diagnostic row: raw jnats sending a Content-Type header with every message, to show what
   * carrying headers costs jnats and the server, apart from anything AgentBus does.
   */
  private Row rawWithHeaderThroughput(String label, String payload, String fanout,
      @Nullable JmhResult raw) {
    @Nullable JmhResult r = rawPubSub(payload, fanout, RawNatsPubSubBenchmark.HEADER_CONTENT_TYPE);
    if (r == null) { // runs before 2026-11-27 17:30 called it "bus"
      r = rawPubSub(payload, fanout, "bus");
    }
    if (r == null) {
      return new Row(label, "-", "", "", "", Verdict.NO_RESULT);
    }
    return new Row(label, throughput(r), raw == null ? "-" : rate(raw) + " raw",
        raw == null ? "-" : throughputRatio(r, raw, " raw"), "", Verdict.INFO);
  }

  /** A diagnostic row: the transport SPI without bus or codec, against raw jnats. */
  private Row transportThroughput(String label, String transport, String fanout,
      @Nullable JmhResult raw) {
    @Nullable JmhResult r = find(TRANSPORT_PUBSUB, "transport", transport, "fanout", fanout);
    if (r == null) {
      return new Row(label, "-", "", "", "", Verdict.NO_RESULT);
    }
    return new Row(label, throughput(r), raw == null ? "-" : rate(raw) + " raw",
        raw == null ? "-" : throughputRatio(r, raw, " raw"), "", Verdict.INFO);
  }

  private Row natsThroughput(String label, String codec, String fanout,
      @Nullable JmhResult raw, double minRatio) {
    @Nullable JmhResult r = find(BUS_PUBSUB, "transport", "nats", "codec", codec, "fanout",
        fanout);
    String target = ">= " + fmt2(minRatio) + "x raw";
    if (r == null || raw == null) {
      return missing(label, r, raw, target);
    }
    double ratio = r.score() / raw.score();
    return new Row(label, throughput(r), rate(raw) + " raw", throughputRatio(r, raw, ""), target,
        ratio >= minRatio ? Verdict.MET : Verdict.MISSED);
  }

  private Row inMemoryThroughput(String label, String codec, String fanout,
      @Nullable JmhResult raw, double minRate) {
    @Nullable JmhResult r = find(BUS_PUBSUB, "transport", "inmemory", "codec", codec, "fanout",
        fanout);
    String target = ">= " + rate(minRate);
    if (r == null) {
      return new Row(label, "-", "-", "-", target, Verdict.NO_RESULT);
    }
    String ratio = raw == null ? "-" : throughputRatio(r, raw, " raw");
    return new Row(label, throughput(r), raw == null ? "-" : rate(raw) + " raw", ratio, target,
        r.score() >= minRate ? Verdict.MET : Verdict.MISSED);
  }

  // ------------------------------------------------------------------ observability

  /**
   * Tracing (every span recorded, handed to a no-op exporter), metrics, and both, beside the plain
   * bus (both off) of the same run: request/reply and publish-to-handler latency in lockstep.
   */
  private void observability() {
    List<Row> rows = new ArrayList<>();
    for (String transport : List.of("nats", "inmemory")) {
      String where = transport.equals("nats") ? "on NATS" : "in memory";
      for (String[] shape : new String[][] {{"requestReply", "request/reply"},
          {"broadcastHandled", "publish -> handler"}}) {
        String label = shape[1] + " " + where + ", ";
        @Nullable JmhResult plain = find(OBSERVE + shape[0], "transport", transport, "observe",
            "none");
        rows.add(baselineRow(label + "plain bus (tracing, metrics off)", plain,
            SummaryTable::latencies));
        for (String observe : List.of("tracing", "metrics", "both")) {
          @Nullable JmhResult r = find(OBSERVE + shape[0], "transport", transport, "observe",
              observe);
          String l = label + (observe.equals("both") ? "tracing + metrics" : observe);
          rows.add(r == null ? new Row(l, "-", "", "", "", Verdict.NO_RESULT)
              : new Row(l, latencies(r), plain == null ? "-" : latencies(plain) + " plain",
                  plain == null ? "-" : latencyRatios(r, plain), "", Verdict.INFO));
        }
      }
    }
    sections.add(new Section("Observability overhead, latency in us (p50 / p99 / p99.9), one "
        + "message at a time, JSON", rows));
  }

  // ------------------------------------------------------------------ request/reply

  private void requestReply(String variant, String shape) {
    List<Row> rows = new ArrayList<>();
    @Nullable JmhResult rawJson = find(RAW_REQREP + variant, "payload", Codecs.JSON);
    @Nullable JmhResult rawProto = find(RAW_REQREP + variant, "payload", Codecs.PROTOBUF);
    @Nullable JmhResult pingPong = pingPong(variant, QueuePingPongBenchmark.NO_WORK);
    rows.add(baselineRow("raw jnats, JSON bytes", rawJson, SummaryTable::latencies));
    rows.add(transportLatency("NATS transport alone, JSON bytes", variant, "nats", rawJson,
        " raw"));
    rows.add(natsLatency("MessageBus on NATS, JSON", variant, Codecs.JSON, rawJson));
    rows.add(baselineRow("raw jnats, Protobuf bytes", rawProto, SummaryTable::latencies));
    rows.add(natsLatency("MessageBus on NATS, Protobuf", variant, Codecs.PROTOBUF, rawProto));
    rows.add(baselineRow("JDK queue ping-pong", pingPong, SummaryTable::latencies));
    rows.add(pingPongWithCodec("JDK queue ping-pong + JSON codec work", variant, pingPong));
    rows.add(transportLatency("in-memory transport alone, JSON bytes", variant, "inmemory",
        pingPong, " queue"));
    rows.add(inMemoryLatency("MessageBus in memory, JSON", variant, Codecs.JSON, pingPong));
    rows.add(inMemoryLatency("MessageBus in memory, Protobuf", variant, Codecs.PROTOBUF,
        pingPong));
    sections.add(new Section("Request/reply latency in us (p50 / p99 / p99.9), " + shape, rows));
  }

  /** The JDK-queue ping-pong doing {@code work}; results from before that parameter had none. */
  private @Nullable JmhResult pingPong(String variant, String work) {
    @Nullable JmhResult r = find(PINGPONG + variant, "work", work);
    return r != null || !work.equals(QueuePingPongBenchmark.NO_WORK) ? r
        : find(PINGPONG + variant);
  }

  /**
   * A diagnostic row: the ping-pong with the bus's JSON encoding and decoding on both sides, to
   * show what the codec alone costs in this shape, apart from the transport and the bus.
   */
  private Row pingPongWithCodec(String label, String variant, @Nullable JmhResult pingPong) {
    @Nullable JmhResult r = pingPong(variant, QueuePingPongBenchmark.CODEC_WORK);
    if (r == null && pingPong != null && !pingPong.params().containsKey("work")) {
      // a run from before the ping-pong had this variant: nothing failed
      return new Row(label, "-", "", "not in runs before 2026-11-27 20:45", "", Verdict.INFO);
    }
    if (r == null) {
      return new Row(label, "-", "", "", "", Verdict.NO_RESULT);
    }
    if (pingPong == null) {
      return new Row(label, latencies(r), "-", "-", "", Verdict.INFO);
    }
    return new Row(label, latencies(r), latencies(pingPong) + " queue",
        latencyRatios(r, pingPong), "", Verdict.INFO);
  }

  static String latencyRatios(JmhResult r, JmhResult base) {
    return fmt2(r.percentile(50.0) / base.percentile(50.0)) + " / "
        + fmt2(r.percentile(99.0) / base.percentile(99.0)) + " / "
        + fmt2(r.percentile(99.9) / base.percentile(99.9));
  }

  /** A diagnostic row: the transport SPI's request without bus or codec. */
  private Row transportLatency(String label, String variant, String transport,
      @Nullable JmhResult base, String baseName) {
    @Nullable JmhResult r = find(TRANSPORT_REQREP + variant, "transport", transport);
    if (r == null) {
      return new Row(label, "-", "", "", "", Verdict.NO_RESULT);
    }
    if (base == null) {
      return new Row(label, latencies(r), "-", "-", "", Verdict.INFO);
    }
    return new Row(label, latencies(r), latencies(base) + baseName, latencyRatios(r, base), "",
        Verdict.INFO);
  }

  private Row natsLatency(String label, String variant, String codec, @Nullable JmhResult raw) {
    @Nullable JmhResult r = find(BUS_REQREP + variant, "transport", "nats", "codec", codec);
    String target = "p50 <= " + fmt2(NATS_P50_MAX_RATIO) + "x, p99 <= "
        + fmt2(NATS_P99_MAX_RATIO) + "x";
    if (r == null || raw == null) {
      return missing(label, r, raw, target);
    }
    double p50 = r.percentile(50.0) / raw.percentile(50.0);
    double p99 = r.percentile(99.0) / raw.percentile(99.0);
    boolean met = p50 <= NATS_P50_MAX_RATIO && p99 <= NATS_P99_MAX_RATIO;
    return new Row(label, latencies(r), latencies(raw) + " raw", latencyRatios(r, raw), target,
        met ? Verdict.MET : Verdict.MISSED);
  }

  private Row inMemoryLatency(String label, String variant, String codec,
      @Nullable JmhResult pingPong) {
    @Nullable JmhResult r = find(BUS_REQREP + variant, "transport", "inmemory", "codec", codec);
    String target = "p50 <= " + fmt2(INMEM_P50_MAX_RATIO) + "x";
    if (r == null || pingPong == null) {
      return missing(label, r, pingPong, target);
    }
    double p50 = r.percentile(50.0) / pingPong.percentile(50.0);
    return new Row(label, latencies(r), latencies(pingPong) + " queue",
        latencyRatios(r, pingPong), target,
        p50 <= INMEM_P50_MAX_RATIO ? Verdict.MET : Verdict.MISSED);
  }

  // ------------------------------------------------------------------ codecs

  private void codecs() {
    List<Row> rows = new ArrayList<>();
    Codec json = Codecs.named(Codecs.JSON);
    Codec proto = Codecs.named(Codecs.PROTOBUF);
    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      AgentMessage m = f.expected();
      int jsonSize = json.encode(m).length;
      int protoSize = proto.encode(m).length;
      @Nullable JmhResult jEnc = find(CODEC + "encode", "codec", Codecs.JSON, "fixture", f.name());
      @Nullable JmhResult jDec = find(CODEC + "decode", "codec", Codecs.JSON, "fixture", f.name());
      @Nullable JmhResult pEnc =
          find(CODEC + "encode", "codec", Codecs.PROTOBUF, "fixture", f.name());
      @Nullable JmhResult pDec =
          find(CODEC + "decode", "codec", Codecs.PROTOBUF, "fixture", f.name());
      String jsonFigure = codecFigure(jEnc, jDec, jsonSize);
      rows.add(new Row(f.name() + ", JSON (seed file " + f.bytes().length + " B)", jsonFigure,
          "", "", "", jEnc == null || jDec == null ? Verdict.NO_RESULT : Verdict.BASELINE));
      String ratio = "enc " + ratio(pEnc, jEnc) + " / dec " + ratio(pDec, jDec) + " / size "
          + fmt2((double) protoSize / jsonSize) + "x";
      rows.add(new Row(f.name() + ", Protobuf", codecFigure(pEnc, pDec, protoSize),
          "JSON", ratio, "", pEnc == null || pDec == null ? Verdict.NO_RESULT : Verdict.INFO));
    }
    sections.add(new Section("Codecs on the seed's example messages: encode / decode ns per "
        + "message, encoded size", rows));
  }

  private static String codecFigure(@Nullable JmhResult enc, @Nullable JmhResult dec, int size) {
    return "enc " + (enc == null ? "-" : fmt0(enc.score())) + " / dec "
        + (dec == null ? "-" : fmt0(dec.score())) + " ns / " + size + " B";
  }

  private static String ratio(@Nullable JmhResult a, @Nullable JmhResult b) {
    return a == null || b == null ? "-" : fmt2(a.score() / b.score()) + "x";
  }

  // ------------------------------------------------------------------ heartbeats

  private void heartbeats() {
    List<Row> rows = new ArrayList<>();
    @Nullable JmhResult idle = find(HEARTBEAT, "agents", "0");
    rows.add(baselineRow("monitor, no agents", idle, SummaryTable::cpuAndHeap));
    for (String agents : List.of("1000", "10000")) {
      @Nullable JmhResult r = find(HEARTBEAT, "agents", agents);
      boolean targeted = agents.equals("10000");
      String target = targeted ? "net < " + fmt0(HEARTBEAT_MAX_CPU_PERCENT) + " % of a core" : "";
      String label = String.format(Locale.ROOT, "%,d agents + monitor", Integer.parseInt(agents));
      if (r == null || idle == null || cpu(r) == null || cpu(idle) == null) {
        rows.add(missing(label, r, idle, target));
        continue;
      }
      double net = cpu(r) - cpu(idle);
      @Nullable Double heap = heap(r);
      @Nullable Double heapIdle = heap(idle);
      String heapNet = heap == null || heapIdle == null ? "-"
          : String.format(Locale.ROOT, "+%.1f MB (%.1f KB/agent)", heap - heapIdle,
              (heap - heapIdle) * 1024 / Integer.parseInt(agents));
      rows.add(new Row(label, cpuAndHeap(r), cpuAndHeap(idle) + " idle",
          String.format(Locale.ROOT, "net %.2f %% CPU, %s", net, heapNet), target,
          !targeted ? Verdict.INFO
              : net < HEARTBEAT_MAX_CPU_PERCENT ? Verdict.MET : Verdict.MISSED));
    }
    String interval = idle == null ? "" : ", heartbeat every "
        + idle.params().getOrDefault("intervalSeconds", "?") + " s";
    sections.add(new Section("Heartbeats and orchestrator monitor, in memory, one process"
        + interval + ": CPU (process, % of one core) and heap after GC", rows));
  }

  private static @Nullable Double cpu(JmhResult r) {
    return r.secondary(CPU_METRIC);
  }

  private static @Nullable Double heap(JmhResult r) {
    return r.secondary(HEAP_METRIC);
  }

  private static String cpuAndHeap(JmhResult r) {
    @Nullable Double cpu = cpu(r);
    @Nullable Double heap = heap(r);
    @Nullable Double perWindow = r.secondary(HEARTBEATS_METRIC + JmhResult.PER_ITERATION);
    @Nullable Double beats = r.secondary(HEARTBEATS_METRIC);
    String seen = perWindow != null && perWindow > 0
        ? String.format(Locale.ROOT, ", %,.0f beats seen per window", perWindow)
        // results without raw data: JMH's sum over the windows
        : beats != null && beats > 0 ? String.format(Locale.ROOT, ", %,.0f beats seen", beats)
        : "";
    return (cpu == null ? "-" : String.format(Locale.ROOT, "%.2f %%", cpu)) + " CPU, "
        + (heap == null ? "-" : String.format(Locale.ROOT, "%.1f MB", heap)) + seen;
  }

  // ------------------------------------------------------------------ helpers

  private interface Figure {
    String of(JmhResult r);
  }

  private static Row baselineRow(String label, @Nullable JmhResult r, Figure figure) {
    return r == null ? new Row(label, "-", "", "", "", Verdict.NO_RESULT)
        : new Row(label, figure.of(r), "", "", "", Verdict.BASELINE);
  }

  private static Row missing(String label, @Nullable JmhResult r, @Nullable JmhResult base,
      String target) {
    return new Row(label, r == null ? "-" : "(" + (r.mode().equals("sample") ? latencies(r)
        : rate(r)) + ")", base == null ? "no baseline" : "-", "-", target, Verdict.NO_RESULT);
  }

  /**
   * The result of {@code benchmark} whose parameters include every given name/value pair.
   */
  @Nullable JmhResult find(String benchmark, String... nameValues) {
    Map<String, String> wanted = new LinkedHashMap<>();
    for (int i = 0; i + 1 < nameValues.length; i += 2) {
      wanted.put(nameValues[i], nameValues[i + 1]);
    }
    for (JmhResult r : results) {
      if (r.benchmark().equals(benchmark) && r.params().entrySet().containsAll(wanted.entrySet())) {
        return r;
      }
    }
    return null;
  }

  static String rate(JmhResult r) {
    return rate(r.score());
  }

  /** The rate, and the benchmark JVM's CPU time per message when the profiler measured it. */
  static String throughput(JmhResult r) {
    @Nullable Double cpu = r.secondary(CPU_PER_OP_METRIC);
    return rate(r) + (cpu == null ? "" : String.format(Locale.ROOT, ", %.2f us CPU", cpu));
  }

  /** The rate ratio, and the ratio of CPU per message when both have it. */
  private static String throughputRatio(JmhResult r, JmhResult base, String suffix) {
    @Nullable Double cpu = r.secondary(CPU_PER_OP_METRIC);
    @Nullable Double baseCpu = base.secondary(CPU_PER_OP_METRIC);
    return fmt2(r.score() / base.score()) + "x" + suffix
        + (cpu == null || baseCpu == null ? "" : " (CPU " + fmt2(cpu / baseCpu) + "x)");
  }

  static String rate(double perSecond) {
    if (perSecond >= 1_000_000) {
      return String.format(Locale.ROOT, "%.2f M/s", perSecond / 1_000_000);
    }
    if (perSecond >= 1_000) {
      return String.format(Locale.ROOT, "%.1f k/s", perSecond / 1_000);
    }
    return String.format(Locale.ROOT, "%.0f /s", perSecond);
  }

  static String latencies(JmhResult r) {
    return fmtLatency(r.percentile(50.0)) + " / " + fmtLatency(r.percentile(99.0)) + " / "
        + fmtLatency(r.percentile(99.9));
  }

  private static String fmtLatency(double us) {
    return us >= 100 ? String.format(Locale.ROOT, "%.0f", us)
        : String.format(Locale.ROOT, "%.1f", us);
  }

  static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt0(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  // ------------------------------------------------------------------ rendering

  /** The table as text, under the given header lines (machine, JDK, profile, ...). */
  String render(List<String> header) {
    String[] titles = {"", "figure", "baseline (same run)", "ratio", "target", ""};
    int[] w = new int[titles.length];
    for (int i = 0; i < titles.length; i++) {
      w[i] = titles[i].length();
    }
    for (Section s : sections) {
      for (Row r : s.rows()) {
        String[] c = cells(r);
        for (int i = 0; i < c.length; i++) {
          w[i] = Math.max(w[i], c[i].length());
        }
      }
    }
    StringBuilder out = new StringBuilder();
    header.forEach(h -> out.append(h).append('\n'));
    int total = Arrays.stream(w).sum() + 2 * (w.length - 1) + 2;
    String rule = "-".repeat(total);
    out.append(rule).append('\n');
    out.append(line(titles, w)).append('\n');
    for (Section s : sections) {
      out.append(rule).append('\n').append(s.title()).append('\n');
      for (Row r : s.rows()) {
        out.append(line(cells(r), w)).append('\n');
      }
    }
    out.append(rule).append('\n');
    long met = count(Verdict.MET);
    long missed = count(Verdict.MISSED);
    long none = count(Verdict.NO_RESULT);
    out.append(String.format(Locale.ROOT, "targets: %d met, %d missed%s; %d figures without a "
        + "result%n", met, missed, roundsFooter(), none));
    return out.toString();
  }

  /** " (round by round: 35 of 51 met)" when rows were judged in several rounds, else "". */
  private String roundsFooter() {
    int met = 0;
    int judged = 0;
    for (Section s : sections) {
      for (Row r : s.rows()) {
        if (r.roundsJudged() >= 2) {
          met += r.roundsMet();
          judged += r.roundsJudged();
        }
      }
    }
    return judged == 0 ? "" : String.format(Locale.ROOT, " (round by round: %d of %d met)", met,
        judged);
  }

  private long count(Verdict v) {
    return sections.stream().flatMap(s -> s.rows().stream()).filter(r -> r.verdict() == v)
        .count();
  }

  private static String[] cells(Row r) {
    return new String[] {"  " + r.label(), r.figure(), r.baseline(), r.ratio(), r.target(),
        r.rounds().isEmpty() ? r.verdict().text : r.verdict().text + " (" + r.rounds() + ")"};
  }

  private static String line(String[] cells, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append("  ");
      }
      b.append(cells[i]).append(" ".repeat(w[i] - cells[i].length()));
    }
    return b.toString().stripTrailing();
  }
}
