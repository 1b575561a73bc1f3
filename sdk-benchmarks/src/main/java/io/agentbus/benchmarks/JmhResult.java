package io.agentbus.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One benchmark result as JMH writes it with {@code -rf json}: the benchmark, its parameters, the
 * primary score (with percentiles in sample-time mode) and the secondary metrics (profilers,
 * auxiliary counters).
 *
 * @param benchmark {@code SimpleClassName.method}
 * @param scoreError JMH's error of the score; for a {@linkplain #medianOfRounds median of rounds},
 *     half the range of the rounds' scores
 * @param percentiles keyed by JMH's percentile labels ({@code "50.0"}, {@code "99.0"}, {@code
 *     "99.9"}); empty outside sample-time mode
 * @param secondary secondary scores by metric name, without JMH's leading {@code ·}; for a metric
 *     with per-iteration raw data, also its mean per measurement iteration under the name plus
 *     {@link #PER_ITERATION} (JMH's score of an event counter is the sum over the iterations)
 */
record JmhResult(
    String benchmark,
    String mode,
    int threads,
    Map<String, String> params,
    double score,
    double scoreError,
    String unit,
    Map<String, Double> percentiles,
    Map<String, Double> secondary) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Suffix of a secondary metric's mean per measurement iteration. */
  static final String PER_ITERATION = "/iteration";

  /**
   * Reads a JMH JSON result file.
   *
   * @throws IOException if it cannot be read or is not JMH's JSON array
   */
  static List<JmhResult> read(Path file) throws IOException {
    JsonNode root = MAPPER.readTree(file.toFile());
    if (root == null || !root.isArray()) {
      throw new IOException(file + " is not a JMH JSON result (expected a JSON array)");
    }
    List<JmhResult> out = new ArrayList<>();
    for (JsonNode n : root) {
      out.add(parse(n));
    }
    return out;
  }

  static JmhResult parse(JsonNode n) {
    String fqn = n.path("benchmark").asText();
    String[] parts = fqn.split("\\.");
    String name = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1]
        : fqn;
    Map<String, String> params = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("params").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      params.put(e.getKey(), e.getValue().asText());
    }
    JsonNode primary = n.path("primaryMetric");
    Map<String, Double> percentiles = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = primary.path("scorePercentiles").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      percentiles.put(e.getKey(), e.getValue().asDouble());
    }
    Map<String, Double> secondary = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("secondaryMetrics").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey().startsWith("\u00b7") ? e.getKey().substring(1) : e.getKey();
      secondary.put(key, e.getValue().path("score").asDouble());
      double sum = 0;
      int iterations = 0;
      for (JsonNode fork : e.getValue().path("rawData")) {
        for (JsonNode iteration : fork) {
          sum += iteration.asDouble();
          iterations++;
        }
      }
      if (iterations > 0) {
        secondary.put(key + PER_ITERATION, sum / iterations);
      }
    }
    return new JmhResult(name, n.path("mode").asText(), n.path("threads").asInt(1), params,
        primary.path("score").asDouble(Double.NaN), primary.path("scoreError").asDouble(Double.NaN),
        primary.path("scoreUnit").asText(), percentiles, secondary);
  }

  /**
   * Combines the results of one benchmark with the same parameters from several rounds (a long run
   * runs every benchmark once per round, the rounds one after another) into one: the median of
   * their scores, of each percentile and of each secondary metric, so that a round the machine
   * slowed down moves no figure by itself. Results that occur once are kept as they are; the order
   * of first occurrence is kept.
   */
  static List<JmhResult> medianOfRounds(List<JmhResult> results) {
    Map<List<Object>, List<JmhResult>> byKey = new LinkedHashMap<>();
    for (JmhResult r : results) {
      byKey.computeIfAbsent(List.of(r.benchmark, r.mode, r.threads, r.params),
          k -> new ArrayList<>()).add(r);
    }
    List<JmhResult> out = new ArrayList<>();
    for (List<JmhResult> rounds : byKey.values()) {
      out.add(rounds.size() == 1 ? rounds.get(0) : median(rounds));
    }
    return out;
  }

  private static JmhResult median(List<JmhResult> rounds) {
    JmhResult first = rounds.get(0);
    double[] scores = rounds.stream().mapToDouble(JmhResult::score).toArray();
    double low = Arrays.stream(scores).min().orElseThrow();
    double high = Arrays.stream(scores).max().orElseThrow();
    return new JmhResult(first.benchmark, first.mode, first.threads, first.params,
        median(scores), (high - low) / 2, first.unit,
        medianByKey(rounds, JmhResult::percentiles), medianByKey(rounds, JmhResult::secondary));
  }

  /** The median of each key's values over the rounds that have it. */
  private static Map<String, Double> medianByKey(List<JmhResult> rounds,
      Function<JmhResult, Map<String, Double>> values) {
    Map<String, List<Double>> byKey = new LinkedHashMap<>();
    for (JmhResult r : rounds) {
      values.apply(r).forEach((k, v) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    Map<String, Double> out = new LinkedHashMap<>();
    byKey.forEach((k, v) -> out.put(k, median(v.stream().mapToDouble(Double::doubleValue)
        .toArray())));
    return out;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The percentile {@code p} (e.g. 99.9), or NaN when this result has none. */
  double percentile(double p) {
    Double v = percentiles.get(Double.toString(p));
    return v == null ? Double.NaN : v;
  }

  /** A secondary metric by name, or null. */
  @Nullable Double secondary(String name) {
    return secondary.get(name);
  }
}
