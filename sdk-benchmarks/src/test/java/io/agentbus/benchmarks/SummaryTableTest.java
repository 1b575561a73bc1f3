package io.agentbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTableTest {
  private static final String PKG = "io.agentbus.benchmarks.";

  @TempDir Path dir;

  /** One result in JMH's JSON shape (only the fields the table reads). */
  static String result(String benchmark, String mode, Map<String, String> params,
      double score, String percentiles, String secondary) {
    StringBuilder p = new StringBuilder();
    params.forEach((k, v) -> p.append(p.length() == 0 ? "" : ",")
        .append('"').append(k).append("\":\"").append(v).append('"'));
    return String.format(Locale.ROOT, "{\"benchmark\":\"%s%s\",\"mode\":\"%s\",\"threads\":1,"
        + "\"params\":{%s},\"primaryMetric\":{\"score\":%s,\"scoreError\":1.0,"
        + "\"scoreUnit\":\"ops/s\",\"scorePercentiles\":{%s}},\"secondaryMetrics\":{%s}}",
        PKG, benchmark, mode, p, score, percentiles, secondary);
  }

  private static String heartbeats(int agents, String secondary) {
    return result("HeartbeatCostBenchmark.idle", "avgt",
        Map.of("agents", Integer.toString(agents), "intervalSeconds", "30"), 1, "", secondary);
  }

  static String pct(double p50, double p99, double p999) {
    return String.format(Locale.ROOT, "\"0.0\":1.0,\"50.0\":%s,\"90.0\":%s,\"99.0\":%s,"
        + "\"99.9\":%s,\"100.0\":%s", p50, p50, p99, p999, p999 * 2);
  }

  private List<JmhResult> load(String... results) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(f, "[" + String.join(",", results) + "]");
    return JmhResult.read(f);
  }

  static SummaryTable.Row row(SummaryTable t, String sectionStart, String label) {
    return t.sections().stream().filter(s -> s.title().startsWith(sectionStart))
        .flatMap(s -> s.rows().stream()).filter(r -> r.label().equals(label)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + label + " in " + sectionStart));
  }

  @Test
  void comparesEachNatsFigureWithRawJnatsCarryingTheSameCodecsBytes() throws Exception {
    SummaryTable t = SummaryTable.of(load(
        result("RawNatsPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("payload", "json", "fanout", "1to1"), 100_000, "",
            "\"\u00b7cpu.usPerOp\":{\"score\":1.5}"),
        result("RawNatsPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("payload", "protobuf", "fanout", "1to1"), 200_000, "", ""),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "nats", "codec", "json", "fanout", "1to1"), 80_000, "",
            "\"\u00b7cpu.usPerOp\":{\"score\":3.0}"),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "nats", "codec", "protobuf", "fanout", "1to1"), 160_000, "", ""),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "inmemory", "codec", "json", "fanout", "1to1"), 1_500_000, "",
            "")));
    String s = "Pub/sub throughput, messages/s received end to end, 1 publisher -> 1 ";

    SummaryTable.Row json = row(t, s, "MessageBus on NATS, JSON");
    assertThat(json.figure()).isEqualTo("80.0 k/s, 3.00 us CPU");
    assertThat(json.ratio()).isEqualTo("0.80x (CPU 2.00x)");
    assertThat(json.baseline()).isEqualTo("100.0 k/s raw");
    assertThat(json.verdict()).isEqualTo(SummaryTable.Verdict.MET);

    SummaryTable.Row proto = row(t, s, "MessageBus on NATS, Protobuf");
    assertThat(proto.ratio()).isEqualTo("0.80x");
    assertThat(proto.verdict()).isEqualTo(SummaryTable.Verdict.MISSED);

    SummaryTable.Row inMemory = row(t, s, "MessageBus in memory, JSON");
    assertThat(inMemory.figure()).isEqualTo("1.50 M/s");
    assertThat(inMemory.verdict()).isEqualTo(SummaryTable.Verdict.MET);

    assertThat(row(t, s, "MessageBus in memory, Protobuf").verdict())
        .isEqualTo(SummaryTable.Verdict.NO_RESULT);
    assertThat(t.anyMissing()).isTrue();
    assertThat(t.anyMissed()).isTrue();
  }

  @Test
  void latencyTargetsUseP50AndP99Ratios() throws Exception {
    SummaryTable t = SummaryTable.of(load(
        result("RawNatsRequestReplyBenchmark.lockstep", "sample", Map.of("payload", "json"), 50,
            pct(40, 100, 300), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample",
            Map.of("transport", "nats", "codec", "json"), 55, pct(44, 140, 310), ""),
        result("QueuePingPongBenchmark.lockstep", "sample", Map.of(), 10, pct(10, 20, 50), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample",
            Map.of("transport", "inmemory", "codec", "json"), 12, pct(14, 30, 90), "")));
    String s = "Request/reply latency in us (p50 / p99 / p99.9), one request";

    SummaryTable.Row nats = row(t, s, "MessageBus on NATS, JSON");
    assertThat(nats.figure()).isEqualTo("44.0 / 140 / 310");
    assertThat(nats.ratio()).isEqualTo("1.10 / 1.40 / 1.03");
    assertThat(nats.verdict()).as("p99 over 1.3x").isEqualTo(SummaryTable.Verdict.MISSED);

    SummaryTable.Row inMemory = row(t, s, "MessageBus in memory, JSON");
    assertThat(inMemory.ratio()).startsWith("1.40 / ");
    assertThat(inMemory.verdict()).isEqualTo(SummaryTable.Verdict.MET);
  }

  @Test
  void thePingPongWithCodecWorkIsADiagnosticRowNeverTheBaseline() throws Exception {
    SummaryTable t = SummaryTable.of(load(
        // listed first, so that a lookup ignoring the parameter would take it for the baseline
        result("QueuePingPongBenchmark.inFlight", "sample", Map.of("work", "json-codec"), 15,
            pct(140, 300, 600), ""),
        result("QueuePingPongBenchmark.inFlight", "sample", Map.of("work", "none"), 10,
            pct(100, 200, 400), ""),
        result("BusRequestReplyBenchmark.inFlight", "sample",
            Map.of("transport", "inmemory", "codec", "json"), 20, pct(160, 300, 800), "")));
    String s = "Request/reply latency in us (p50 / p99 / p99.9), 16 requesting threads";

    assertThat(row(t, s, "JDK queue ping-pong").figure()).isEqualTo("100 / 200 / 400");
    SummaryTable.Row codec = row(t, s, "JDK queue ping-pong + JSON codec work");
    assertThat(codec.figure()).isEqualTo("140 / 300 / 600");
    assertThat(codec.ratio()).isEqualTo("1.40 / 1.50 / 1.50");
    assertThat(codec.verdict()).isEqualTo(SummaryTable.Verdict.INFO);
    SummaryTable.Row bus = row(t, s, "MessageBus in memory, JSON");
    assertThat(bus.ratio()).as("against the bare ping-pong").startsWith("1.60 / ");
    assertThat(bus.verdict()).isEqualTo(SummaryTable.Verdict.MISSED);

    SummaryTable withoutCodecRow = SummaryTable.of(load(
        result("QueuePingPongBenchmark.inFlight", "sample", Map.of("work", "none"), 10,
            pct(100, 200, 400), "")));
    assertThat(row(withoutCodecRow, s, "JDK queue ping-pong + JSON codec work").verdict())
        .as("a run that had the variant and lost its result").isEqualTo(
            SummaryTable.Verdict.NO_RESULT);
    SummaryTable olderRun = SummaryTable.of(load(
        result("QueuePingPongBenchmark.inFlight", "sample", Map.of(), 10, pct(100, 200, 400), "")));
    assertThat(row(olderRun, s, "JDK queue ping-pong + JSON codec work").verdict())
        .as("a run from before the variant existed").isEqualTo(SummaryTable.Verdict.INFO);
  }

  @Test
  void theRoundsOfOneBenchmarkCountAsTheirMedianFigureByFigure() throws Exception {
    Map<String, String> bus = Map.of("transport", "nats", "codec", "json");
    Map<String, String> busProto = Map.of("transport", "nats", "codec", "protobuf");
    SummaryTable t = SummaryTable.of(load(
        result("RawNatsRequestReplyBenchmark.lockstep", "sample", Map.of("payload", "json"), 50,
            pct(40, 100, 300), ""),
        result("RawNatsRequestReplyBenchmark.lockstep", "sample", Map.of("payload", "json"), 50,
            pct(60, 300, 900), ""),
        result("RawNatsRequestReplyBenchmark.lockstep", "sample", Map.of("payload", "json"), 50,
            pct(50, 200, 100), ""),
        // a round the machine slowed down does not move the median
        result("BusRequestReplyBenchmark.lockstep", "sample", bus, 55, pct(55, 220, 500), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample", bus, 55, pct(900, 9000, 9000), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample", bus, 55, pct(45, 180, 400), ""),
        // another parameter value is another figure, not a round of this one
        result("BusRequestReplyBenchmark.lockstep", "sample", busProto, 55, pct(1, 2, 3), "")));
    SummaryTable.Row raw = row(t, "Request/reply latency in us (p50 / p99 / p99.9), one request",
        "raw jnats, JSON bytes");
    assertThat(raw.figure()).as("p50 40/60/50, p99 100/300/200, p99.9 300/900/100")
        .isEqualTo("50.0 / 200 / 300");
    SummaryTable.Row json = row(t, "Request/reply latency in us (p50 / p99 / p99.9), one request",
        "MessageBus on NATS, JSON");
    assertThat(json.figure()).isEqualTo("55.0 / 220 / 500");
    assertThat(json.ratio()).isEqualTo("1.10 / 1.10 / 1.67");

    List<JmhResult> merged = JmhResult.medianOfRounds(load(
        result("BusPubSubBenchmark.publishAndReceive", "thrpt", bus, 300, "",
            "\"\u00b7cpu.usPerOp\":{\"score\":3.0}"),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt", bus, 100, "",
            "\"\u00b7cpu.usPerOp\":{\"score\":1.0}"),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt", bus, 200, "", ""),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt", bus, 400, "", "")));
    assertThat(merged).hasSize(1);
    assertThat(merged.get(0).score()).as("median of an even count").isEqualTo(250);
    assertThat(merged.get(0).scoreError()).as("half the range").isEqualTo(150);
    assertThat(merged.get(0).secondary("cpu.usPerOp")).as("of the rounds that have it")
        .isEqualTo(2.0);
  }

  @Test
  void eachTargetCountsTheRoundsThatMetItAgainstTheSameRoundsBaseline() throws Exception {
    Map<String, String> busJson = Map.of("transport", "nats", "codec", "json", "fanout", "1to1");
    Map<String, String> busProto =
        Map.of("transport", "nats", "codec", "protobuf", "fanout", "1to1");
    // the raw figure moves from round to round; each round's bus figure is judged against it
    List<List<JmhResult>> rounds = List.of(
        load(rawPubSub("json", 100), rawPubSub("protobuf", 100), bus(busJson, 80),
            bus(busProto, 90)),
        load(rawPubSub("json", 200), rawPubSub("protobuf", 200), bus(busJson, 100),
            bus(busProto, 160)),
        load(rawPubSub("json", 100), rawPubSub("protobuf", 100), bus(busJson, 75),
            bus(busProto, 80)),
        // a round without the bus's figures judges neither target
        load(rawPubSub("json", 100), rawPubSub("protobuf", 100)));
    SummaryTable t = SummaryTable.ofRounds(rounds);
    String s = "Pub/sub throughput, messages/s received end to end, 1 publisher -> 1 subscriber";

    SummaryTable.Row json = row(t, s, "MessageBus on NATS, JSON");
    assertThat(json.ratio()).as("median 80 of median raw 100").startsWith("0.80x");
    assertThat(json.verdict()).isEqualTo(SummaryTable.Verdict.MET);
    assertThat(json.rounds()).as("0.80x, 0.50x and 0.75x against 0.70x")
        .isEqualTo("met in 2 of 3 rounds");

    SummaryTable.Row proto = row(t, s, "MessageBus on NATS, Protobuf");
    assertThat(proto.verdict()).as("median 90 of median 100").isEqualTo(SummaryTable.Verdict.MET);
    assertThat(proto.rounds()).as("0.90x, 0.80x and 0.80x against 0.85x")
        .isEqualTo("met in 1 of 3 rounds");

    assertThat(row(t, s, "raw jnats, JSON bytes").rounds()).as("no target").isEmpty();
    String text = t.render(List.of());
    assertThat(text).containsPattern("MessageBus on NATS, JSON .* ok \\(met in 2 of 3 rounds\\)");
    assertThat(text).contains("targets: 2 met, 0 missed (round by round: 3 of 6 met); ");

    SummaryTable single = SummaryTable.ofRounds(List.of(rounds.get(0)));
    assertThat(row(single, s, "MessageBus on NATS, JSON").rounds()).as("one round").isEmpty();
    assertThat(single.render(List.of())).contains("targets: 2 met, 0 missed; ");
  }

  private static String rawPubSub(String payload, double score) {
    return result("RawNatsPubSubBenchmark.publishAndReceive", "thrpt",
        Map.of("payload", payload, "fanout", "1to1", "headers", "none"), score, "", "");
  }

  private static String bus(Map<String, String> params, double score) {
    return result("BusPubSubBenchmark.publishAndReceive", "thrpt", params, score, "", "");
  }

  @Test
  void aResultsFileNamesItsRound() {
    assertThat(BenchmarkMain.roundOf(Path.of("runs", "long-1", "pubsub.json"))).isEqualTo(1);
    assertThat(BenchmarkMain.roundOf(Path.of("runs", "long-1", "pubsub-round3.json")))
        .isEqualTo(3);
    assertThat(BenchmarkMain.roundOf(Path.of("reqrep-round12.json"))).isEqualTo(12);
    assertThat(BenchmarkMain.roundOf(Path.of("my-round-trip.json"))).isEqualTo(1);
  }

  @Test
  void observabilityOverheadIsShownBesideThePlainBusOfTheSameRun() throws Exception {
    String b = "ObservabilityOverheadBenchmark.requestReply";
    SummaryTable t = SummaryTable.of(load(
        result(b, "sample", Map.of("transport", "nats", "observe", "none"), 50, pct(40, 80, 160),
            ""),
        result(b, "sample", Map.of("transport", "nats", "observe", "tracing"), 60,
            pct(50, 100, 200), ""),
        result(b, "sample", Map.of("transport", "nats", "observe", "metrics"), 50,
            pct(44, 80, 160), "")));
    assertThat(row(t, "Observability", "request/reply on NATS, plain bus (tracing, metrics off)")
        .verdict()).isEqualTo(SummaryTable.Verdict.BASELINE);
    SummaryTable.Row tracing = row(t, "Observability", "request/reply on NATS, tracing");
    assertThat(tracing.ratio()).isEqualTo("1.25 / 1.25 / 1.25");
    assertThat(tracing.baseline()).endsWith(" plain");
    assertThat(row(t, "Observability", "request/reply on NATS, metrics").ratio())
        .startsWith("1.10 / ");
    assertThat(row(t, "Observability", "request/reply on NATS, tracing + metrics").verdict())
        .isEqualTo(SummaryTable.Verdict.NO_RESULT);
    assertThat(t.anyMissingIn(title -> title.startsWith("Observability"))).isTrue();
  }

  @Test
  void missingFiguresCanBeCountedInSomeSectionsOnly() throws Exception {
    String cpu = "\"\u00b7cpu.percentOfOneCore\":{\"score\":1.0},"
        + "\"\u00b7heap.usedAfterGc\":{\"score\":10.0}";
    SummaryTable t = SummaryTable.of(load(heartbeats(0, cpu), heartbeats(1000, cpu),
        heartbeats(10_000, cpu)));
    assertThat(t.anyMissing()).as("every other section is empty").isTrue();
    assertThat(t.anyMissingIn(title -> title.startsWith("Heartbeats"))).isFalse();
    assertThat(t.anyMissingIn(title -> title.startsWith("Codecs"))).isTrue();
  }

  @Test
  void heartbeatCostIsNetOfTheMonitorAlone() throws Exception {
    String idle = "\"\u00b7cpu.percentOfOneCore\":{\"score\":0.5},"
        + "\"\u00b7heap.usedAfterGc\":{\"score\":10.0}";
    String tenK = "\"\u00b7cpu.percentOfOneCore\":{\"score\":6.0},"
        + "\"\u00b7heap.usedAfterGc\":{\"score\":60.0},\"heartbeats\":{\"score\":10000}";
    SummaryTable t = SummaryTable.of(load(heartbeats(0, idle), heartbeats(10_000, tenK)));
    SummaryTable.Row r = row(t, "Heartbeats", "10,000 agents + monitor");
    assertThat(r.ratio()).isEqualTo("net 5.50 % CPU, +50.0 MB (5.1 KB/agent)");
    assertThat(r.figure()).isEqualTo("6.00 % CPU, 60.0 MB, 10,000 beats seen");
    assertThat(r.verdict()).isEqualTo(SummaryTable.Verdict.MISSED);
  }

  @Test
  void heartbeatsSeenAreCountedPerWindowWhereJmhGaveTheWindows() throws Exception {
    String tenK = "\"\u00b7cpu.percentOfOneCore\":{\"score\":3.0},"
        + "\"\u00b7heap.usedAfterGc\":{\"score\":20.0},"
        + "\"heartbeats\":{\"score\":30000,\"rawData\":[[10000.0,10000.0,10000.0]]}";
    String idle = "\"\u00b7cpu.percentOfOneCore\":{\"score\":0.5},"
        + "\"\u00b7heap.usedAfterGc\":{\"score\":10.0}";
    SummaryTable t = SummaryTable.of(load(heartbeats(0, idle), heartbeats(10_000, tenK)));
    assertThat(row(t, "Heartbeats", "10,000 agents + monitor").figure())
        .isEqualTo("3.00 % CPU, 20.0 MB, 10,000 beats seen per window");
  }

  @Test
  void rendersEverySectionWithAFooterCountingVerdicts() throws Exception {
    SummaryTable t = SummaryTable.of(load(
        result("CodecBenchmark.encode", "avgt",
            Map.of("codec", "json", "fixture", "resource-request"), 500, "", ""),
        result("CodecBenchmark.decode", "avgt",
            Map.of("codec", "json", "fixture", "resource-request"), 900, "", "")));
    String text = t.render(List.of("header line"));
    assertThat(text).startsWith("header line\n");
    assertThat(text).containsPattern("resource-request, JSON \\(seed file 272 B\\) +enc 500 / dec 900 ns / ");
    assertThat(text).contains("Codecs on the seed's example messages");
    assertThat(text).containsPattern("targets: 0 met, 0 missed; \\d+ figures without a result");
  }

  @Test
  void readsRealJmhOutputFieldsIncludingPercentilesAndProfilerMetrics() throws Exception {
    String json = new ObjectMapper().writeValueAsString(List.of(Map.of(
        "benchmark", PKG + "RawNatsRequestReplyBenchmark.inFlight",
        "mode", "sample",
        "threads", 16,
        "params", Map.of("payload", "protobuf"),
        "primaryMetric", Map.of("score", 75.5, "scoreError", 2.0, "scoreUnit", "us/op",
            "scorePercentiles", Map.of("50.0", 70.0, "99.0", 180.0, "99.9", 400.0)),
        "secondaryMetrics", Map.of("\u00b7gc.alloc.rate", Map.of("score", 12.5)))));
    Path f = dir.resolve("real.json");
    Files.writeString(f, json);
    JmhResult r = JmhResult.read(f).get(0);
    assertThat(r.benchmark()).isEqualTo("RawNatsRequestReplyBenchmark.inFlight");
    assertThat(r.threads()).isEqualTo(16);
    assertThat(r.params()).containsEntry("payload", "protobuf");
    assertThat(r.percentile(99.9)).isEqualTo(400.0);
    assertThat(r.secondary("gc.alloc.rate")).isEqualTo(12.5);
  }
}
