package io.agentbus.benchmarks;

import static io.agentbus.benchmarks.SummaryTableTest.pct;
import static io.agentbus.benchmarks.SummaryTableTest.result;
import static io.agentbus.benchmarks.SummaryTableTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HopsTableTest {
  @TempDir Path dir;

  private List<JmhResult> load(String... results) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(f, "[" + String.join(",", results) + "]");
    return JmhResult.read(f);
  }

  private static String cpu(double usPerOp) {
    return "\"\u00b7cpu.usPerOp\":{\"score\":" + usPerOp + "}";
  }

  @Test
  void judgesTheBusP50AgainstItsTransportAloneOnEachTransport() throws Exception {
    SummaryTable t = HopsTable.of(load(
        result("RawNatsRequestReplyBenchmark.lockstep", "sample", Map.of("payload", "json"), 1,
            pct(90, 200, 400), ""),
        result("TransportRequestReplyBenchmark.lockstep", "sample", Map.of("transport", "nats"),
            1, pct(100, 200, 400), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample",
            Map.of("transport", "nats", "codec", "json"), 1, pct(110, 300, 500), ""),
        result("TransportRequestReplyBenchmark.lockstep", "sample",
            Map.of("transport", "inmemory"), 1, pct(10, 20, 40), ""),
        result("BusRequestReplyBenchmark.lockstep", "sample",
            Map.of("transport", "inmemory", "codec", "json"), 1, pct(12, 20, 40), "")));
    String s = "Request/reply, JSON, one request at a time";

    SummaryTable.Row nats = row(t, s, "MessageBus on NATS");
    assertThat(nats.ratio()).isEqualTo("1.10 / 1.50 / 1.25");
    assertThat(nats.baseline()).isEqualTo("100 / 200 / 400 alone");
    assertThat(nats.verdict()).as("p50 only is judged").isEqualTo(SummaryTable.Verdict.MET);
    assertThat(row(t, s, "NATS transport alone").ratio()).startsWith("1.11 / ");
    assertThat(row(t, s, "MessageBus on in-memory").verdict())
        .as("1.2x its transport").isEqualTo(SummaryTable.Verdict.MISSED);
    assertThat(row(t, "Request/reply, JSON, 16 in flight", "MessageBus on NATS").verdict())
        .isEqualTo(SummaryTable.Verdict.NO_RESULT);
  }

  @Test
  void judgesCpuPerMessageAsMicrosecondsAboveRawJnats() throws Exception {
    SummaryTable t = HopsTable.of(load(
        result("RawNatsPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("payload", "json", "fanout", "1to1", "headers", "none"), 400_000, "", cpu(1.0)),
        result("RawNatsPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("payload", "protobuf", "fanout", "1to1", "headers", "none"), 400_000, "",
            cpu(0.9)),
        result("TransportPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "nats", "fanout", "1to1"), 300_000, "", cpu(1.3)),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "nats", "codec", "json", "fanout", "1to1"), 200_000, "",
            cpu(1.45)),
        result("BusPubSubBenchmark.publishAndReceive", "thrpt",
            Map.of("transport", "nats", "codec", "protobuf", "fanout", "1to1"), 200_000, "",
            cpu(1.3))));
    String s = "CPU per message on NATS";

    SummaryTable.Row json = row(t, s, "MessageBus, JSON");
    assertThat(json.figure()).isEqualTo("1.45 us, 200.0 k/s");
    assertThat(json.ratio()).isEqualTo("+0.45 us (1.45x)");
    assertThat(json.verdict()).isEqualTo(SummaryTable.Verdict.MET);
    assertThat(row(t, s, "NATS transport alone, JSON bytes").verdict())
        .isEqualTo(SummaryTable.Verdict.INFO);
    SummaryTable.Row proto = row(t, s, "MessageBus, Protobuf");
    assertThat(proto.ratio()).isEqualTo("+0.40 us (1.44x)");
    assertThat(proto.verdict()).as("over +0.35 us").isEqualTo(SummaryTable.Verdict.MISSED);
    assertThat(t.anyMissingIn(title -> title.startsWith(s))).isFalse();
    assertThat(t.anyMissing()).as("the request/reply rows have no results").isTrue();
  }
}
