package io.agentbus.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bench/run.sh signed}: runs {@link SignedNatsBenchmark} beside a nats-server of its own
 * and prints a Markdown table of each path (raw jnats; the bus with signing off, sign, require)
 * against raw jnats of the same run, headed by the machine's load before and after, ready to paste
 * into docs/performance.md. About two and a half minutes per Ed25519 implementation.
 */
final class SignedRun {
  private SignedRun() {}

  /**
   * @param ed25519 the implementations to measure, such as {@code jnats} or {@code jnats,jdk}
   */
  static int run(Path out, String ed25519) throws Exception {
    Files.createDirectories(out);
    String loadBefore = BenchmarkMain.loadAverage();
    Collection<RunResult> results;
    try (NatsServerProcess server =
        NatsServerProcess.start(NatsServerProcess.findBinary(), out.resolve("nats-server.log"))) {
      System.out.println("# nats-server " + server.version() + " at " + server.url()
          + "; load average before " + loadBefore);
      ChainedOptionsBuilder o = BenchmarkMain.options("\\.SignedNatsBenchmark\\.",
          out.resolve("signed.json"), server)
          .param("path", paths(ed25519))
          .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2))
          .measurementIterations(3).measurementTime(TimeValue.seconds(3))
          .shouldFailOnError(true);
      results = new Runner(o.build()).run();
    }
    String table = table(results, loadBefore, BenchmarkMain.loadAverage());
    System.out.print(table);
    Files.writeString(out.resolve("signed.md"), table);
    System.out.println("# saved in " + out);
    return 0;
  }

  /** raw and off, then sign and require with each implementation. */
  static String[] paths(String ed25519) {
    List<String> paths = new ArrayList<>(List.of(SignedNatsBenchmark.RAW, "off"));
    for (String e : ed25519.split(",")) {
      paths.add("sign-" + e.trim());
      paths.add("require-" + e.trim());
    }
    return paths.toArray(String[]::new);
  }

  static String table(Collection<RunResult> results, String loadBefore, String loadAfter) {
    StringBuilder t = new StringBuilder();
    t.append("\nSigned messages over NATS, JSON, end to end (SignedNatsBenchmark, `bench/run.sh "
        + "signed`), ").append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, load average before ").append(loadBefore).append(", after ")
        .append(loadAfter).append(":\n\n");
    t.append("| path | publish -> handler, msgs/s | vs raw | request/reply lockstep, "
        + "round trips/s | us per round trip | vs raw |\n|---|---|---|---|---|---|\n");
    double rawPub = score(results, "publishAndReceive", SignedNatsBenchmark.RAW);
    double rawReq = score(results, "requestReply", SignedNatsBenchmark.RAW);
    List<String> paths = new ArrayList<>();
    for (RunResult r : results) {
      String path = r.getParams().getParam("path");
      if (!paths.contains(path)) {
        paths.add(path);
      }
    }
    for (String path : paths) {
      double pub = score(results, "publishAndReceive", path);
      double req = score(results, "requestReply", path);
      t.append("| ").append(label(path)).append(" | ").append(fmt(pub, "%,.0f")).append(" | ")
          .append(ratio(pub, rawPub)).append(" | ").append(fmt(req, "%,.0f")).append(" | ")
          .append(fmt(req > 0 ? 1e6 / req : Double.NaN, "%,.0f")).append(" | ")
          .append(ratio(req, rawReq)).append(" |\n");
    }
    return t.toString();
  }

  private static String label(String path) {
    if (path.equals(SignedNatsBenchmark.RAW)) {
      return "raw jnats";
    }
    int dash = path.indexOf('-');
    return dash < 0 ? "bus, signing " + path : "bus, signing " + path.substring(0, dash)
        + " (" + path.substring(dash + 1) + " Ed25519)";
  }

  private static double score(Collection<RunResult> results, String method, String path) {
    return results.stream()
        .filter(r -> r.getParams().getBenchmark().endsWith("." + method)
            && r.getParams().getParam("path").equals(path))
        .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst().orElse(Double.NaN);
  }

  private static String fmt(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  private static String ratio(double v, double raw) {
    return Double.isNaN(v) || Double.isNaN(raw) ? "-" : String.format(Locale.ROOT, "%.2fx",
        v / raw);
  }
}
