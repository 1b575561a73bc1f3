package io.agentbus.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a benchmark profile and prints the summary table.
 *
 * <pre>
 * BenchmarkMain [short|long] [--only pubsub,reqrep,codec,heartbeat,observe] [--out DIR] [--prof NAME[:OPTS]]
 * BenchmarkMain scale [--out DIR]     the cost curve as agents grow ({@link ScaleCurve})
 * BenchmarkMain hops [--out DIR]      what the bus adds to a request and a message ({@link HopsRun})
 * BenchmarkMain scale --agents 10000  only the start and close of that many agents, both
 *                                     transports (a quick before/after of start and close)
 * BenchmarkMain signed [--ed25519 jnats,jdk] [--out DIR]   signing over NATS ({@link SignedRun})
 * BenchmarkMain report DIR_OR_JSON...
 * </pre>
 *
 * <p>A run starts a {@code nats-server} on a free loopback port, runs each group of benchmarks
 * in its own JMH invocation (each writing {@code GROUP.json} in the output directory; a group the
 * profile runs in several {@linkplain Profile#rounds rounds} writes {@code GROUP-roundN.json} for
 * the later ones), stops the server, then prints the table (also saved as {@code summary.txt}).
 * {@code report} renders the table again from saved results. The exit status is 1 when a figure
 * of a group that ran has no result (a benchmark failed); missed targets are reported in the
 * table, not in the status.
 */
public final class BenchmarkMain {
  private static final String RUN_INFO = "run.properties";

  /** The benchmark groups, each run by one JMH invocation with its own timing. */
  enum Group {
    PUBSUB("pubsub", "\\.(RawNats|Bus|Transport)PubSubBenchmark\\.", "Pub/sub"),
    REQREP("reqrep",
        "\\.(RawNatsRequestReply|BusRequestReply|TransportRequestReply|QueuePingPong)Benchmark\\.",
        "Request/reply"),
    CODEC("codec", "\\.CodecBenchmark\\.", "Codecs"),
    HEARTBEAT("heartbeat", "\\.HeartbeatCostBenchmark\\.", "Heartbeats"),
    OBSERVE("observe", "\\.ObservabilityOverheadBenchmark\\.", "Observability");

    final String id;
    /** JMH's include pattern for this group's benchmarks (their fully qualified names). */
    final String pattern;
    private final Pattern compiled;
    /** How the titles of this group's sections of the table begin. */
    final String sections;

    Group(String id, String pattern, String sections) {
      this.id = id;
      this.pattern = pattern;
      this.compiled = Pattern.compile(pattern);
      this.sections = sections;
    }

    /** The groups with at least one of {@code results}. */
    static Set<Group> of(List<JmhResult> results) {
      Set<Group> groups = EnumSet.noneOf(Group.class);
      for (Group g : values()) {
        if (results.stream().anyMatch(r -> g.compiled.matcher("." + r.benchmark()).find())) {
          groups.add(g);
        }
      }
      return groups;
    }

    static Group named(String id) {
      for (Group g : values()) {
        if (g.id.equals(id)) {
          return g;
        }
      }
      throw new IllegalArgumentException("Unknown group '" + id + "'; groups: "
          + Arrays.stream(values()).map(g -> g.id).toList());
    }
  }

  /**
   * Iteration counts and times: short takes about 16 minutes on 2 cores, long (about an hour) is
   * for print.
   */
  enum Profile {
    SHORT, LONG;

    /**
     * How many times the group runs, one round after another. Every benchmark runs once per round
     * and the table shows the median of its rounds: on a shared machine the speed drifts over
     * minutes, and a figure and its baseline measured once, minutes apart, can land on opposite
     * sides of a drift. Rounds spread both over the whole run.
     */
    int rounds(Group g) {
      return this == LONG && (g == Group.PUBSUB || g == Group.REQREP) ? 3 : 1;
    }

    void apply(Group g, ChainedOptionsBuilder o) {
      boolean s = this == SHORT;
      switch (g) {
        case PUBSUB:
          // jnats' reader, writer and dispatcher run at a third of their speed for the first 4-6
          // seconds of a JVM (measured: raw jnats 124 k/s, then 450-500 k/s from the 6th second
          // on), so a pub/sub warmup shorter than that measures warmup, with huge error bars
          timing(o, 1, s ? 6 : 8, 1, s ? 3 : 5, s ? 1 : 2);
          // CPU per message: what each figure costs its JVM, whatever the machine's load
          o.addProfiler(CpuShareProfiler.class);
          break;
        case REQREP:
          timing(o, 1, s ? 4 : 6, 1, s ? 3 : 4, s ? 1 : 3);
          break;
        case CODEC:
          // sub-microsecond figures: with two one-second warmups Protobuf decoding measured 1.5x
          // its compiled time (165 against 104 ns for the heartbeat), with one some encoders too
          timing(o, s ? 1 : 2, 3, 1, s ? 2 : 5, 1);
          break;
        case OBSERVE:
          // 2 transports x 4 settings x 2 shapes = 16 benchmarks: about 2.5 minutes short
          timing(o, 1, s ? 3 : 5, 1, s ? 3 : 5, s ? 1 : 2);
          break;
        case HEARTBEAT:
          // each iteration spans one heartbeat interval (30 s), so it sees every agent's beat;
          // the warmup lets the JIT compile the heartbeat path before it is measured (half an
          // interval is 5,000 beats with 10,000 agents)
          timing(o, 1, 1, s ? 15 : 30, s ? 1 : 3, 30);
          o.addProfiler(CpuShareProfiler.class);
          break;
        default:
          throw new AssertionError(g);
      }
    }

    private static void timing(ChainedOptionsBuilder o, int forks, int warmups, int warmupSec,
        int measurements, int measureSec) {
      o.forks(forks)
          .warmupIterations(warmups).warmupTime(TimeValue.seconds(warmupSec))
          .measurementIterations(measurements).measurementTime(TimeValue.seconds(measureSec));
    }
  }

  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    List<String> a = new ArrayList<>(Arrays.asList(args));
    if (!a.isEmpty() && a.get(0).equals("report")) {
      System.exit(report(a.subList(1, a.size())));
    }
    if (!a.isEmpty() && a.get(0).equals("scale")) {
      Path scaleOut = Path.of("sdk-benchmarks", "target", "bench-results", "scale-"
          + LocalDateTime.now(ZoneOffset.UTC).toString().replace(':', '-'));
      int[] counts = ScaleCurve.AGENTS;
      boolean fanOut = true;
      for (int i = 1; i < a.size(); i++) {
        switch (a.get(i)) {
          case "--out" -> scaleOut = Path.of(value(a, ++i, "--out"));
          case "--agents" -> {
            counts = Arrays.stream(value(a, ++i, "--agents").split(","))
                .mapToInt(n -> Integer.parseInt(n.trim())).toArray();
            fanOut = false;
          }
          default -> throw new IllegalArgumentException("Unknown argument '" + a.get(i)
              + "'. Usage: scale [--out DIR] [--agents N,N...] (--agents: only the start and "
              + "close of those many agents, no fan-out)");
        }
      }
      scale(scaleOut, counts, fanOut);
      System.exit(0);
    }
    if (!a.isEmpty() && a.get(0).equals(HopsRun.PROFILE)) {
      Path out = a.size() > 2 && a.get(1).equals("--out") ? Path.of(a.get(2))
          : Path.of("sdk-benchmarks", "target", "bench-results", HopsRun.PROFILE + "-"
              + LocalDateTime.now(ZoneOffset.UTC)
                  .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      Files.createDirectories(out);
      System.exit(HopsRun.run(out));
    }
    if (!a.isEmpty() && a.get(0).equals("signed")) {
      String ed25519 = "jnats";
      Path out = Path.of("sdk-benchmarks", "target", "bench-results", "signed-"
          + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
              "yyyyMMdd-HHmmss")));
      for (int i = 1; i < a.size(); i++) {
        if (a.get(i).equals("--ed25519")) {
          ed25519 = value(a, ++i, "--ed25519");
        } else if (a.get(i).equals("--out")) {
          out = Path.of(value(a, ++i, "--out"));
        } else {
          throw new IllegalArgumentException("Unknown argument '" + a.get(i) + "'. Usage: "
              + "signed [--ed25519 jnats,jdk] [--out DIR]");
        }
      }
      System.exit(SignedRun.run(out, ed25519));
    }
    Profile profile = Profile.SHORT;
    Set<Group> groups = EnumSet.allOf(Group.class);
    Path out = null;
    List<String> profilers = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String arg = a.get(i);
      switch (arg) {
        case "short":
          profile = Profile.SHORT;
          break;
        case "long":
          profile = Profile.LONG;
          break;
        case "--only":
          groups = EnumSet.noneOf(Group.class);
          for (String id : value(a, ++i, arg).split(",")) {
            groups.add(Group.named(id.trim()));
          }
          break;
        case "--out":
          out = Path.of(value(a, ++i, arg));
          break;
        case "--prof":
          profilers.add(value(a, ++i, arg));
          break;
        default:
          throw new IllegalArgumentException("Unknown argument '" + arg + "'. Usage: "
              + "[short|long] [--only pubsub,reqrep,codec,heartbeat,observe] [--out DIR] "
              + "[--prof NAME[:OPTS]] | report DIR_OR_JSON...");
      }
    }
    if (out == null) {
      out = Path.of("sdk-benchmarks", "target", "bench-results",
          profile.name().toLowerCase(Locale.ROOT) + "-" + LocalDateTime.now(ZoneOffset.UTC)
              .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    Files.createDirectories(out);
    System.exit(run(profile, groups, out, profilers));
  }

  /** The cost curve ({@link ScaleCurve}) beside a nats-server of its own. */
  private static void scale(Path out, int[] agents, boolean fanOut) throws Exception {
    Files.createDirectories(out);
    try (NatsServerProcess server =
        NatsServerProcess.start(NatsServerProcess.findBinary(), out.resolve("nats-server.log"))) {
      System.setProperty(BenchEnv.NATS_URL_PROPERTY, server.url());
      System.out.println("# nats-server " + server.version() + " at " + server.url()
          + "; load before " + loadAverage());
      ScaleCurve.run(out, agents, fanOut);
      System.out.println("# load after " + loadAverage());
    }
  }

  private static String value(List<String> a, int i, String option) {
    if (i >= a.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return a.get(i);
  }

  private static int run(Profile profile, Set<Group> groups, Path out, List<String> profilers)
      throws IOException, InterruptedException {
    Properties info = runInfo(profile.name().toLowerCase(Locale.ROOT));
    List<String> failures = new ArrayList<>();
    Path binary = NatsServerProcess.findBinary();
    try (NatsServerProcess server = NatsServerProcess.start(binary, out.resolve("nats-server.log"))) {
      info.setProperty("natsServer", server.version());
      System.out.println("# nats-server " + server.version() + " at " + server.url()
          + " (pid " + server.pid() + ")");
      int rounds = groups.stream().mapToInt(profile::rounds).max().orElse(1);
      for (int round = 1; round <= rounds; round++) {
        for (Group g : groups) {
          if (round <= profile.rounds(g)) {
            runGroup(profile, g, round, out, server, profilers, failures);
          }
        }
      }
    }
    if (groups.stream().anyMatch(g -> profile.rounds(g) > 1)) {
      info.setProperty("rounds", groups.stream().map(g -> g.id + " " + profile.rounds(g))
          .collect(Collectors.joining(", ")));
    }
    saveRunInfo(info, out);
    int status = report(List.of(out.toString()), groups);
    failures.forEach(f -> System.err.println("# " + f));
    return failures.isEmpty() ? status : 1;
  }

  /** What a run's table header says about the run and the machine, before the run. */
  static Properties runInfo(String profile) {
    Properties info = new Properties();
    info.setProperty("profile", profile);
    info.setProperty("started", LocalDateTime.now(ZoneOffset.UTC) + "Z");
    info.setProperty("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    info.setProperty("cpuModel", cpuModel());
    info.setProperty("jdk", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version"));
    info.setProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    info.setProperty("loadBefore", loadAverage());
    return info;
  }

  /** Adds the load after the run to {@code info} and saves it in {@code out}. */
  static void saveRunInfo(Properties info, Path out) throws IOException {
    info.setProperty("loadAfter", loadAverage());
    try (var w = Files.newBufferedWriter(out.resolve(RUN_INFO))) {
      info.store(w, "AgentBus benchmark run");
    }
  }

  /** One JMH invocation: a group's benchmarks, once each, into {@code GROUP[-roundN].json}. */
  private static void runGroup(Profile profile, Group g, int round, Path out,
      NatsServerProcess server, List<String> profilers, List<String> failures) {
    String file = g.id + (round == 1 ? "" : "-round" + round) + ".json";
    ChainedOptionsBuilder o = options(g.pattern, out.resolve(file), server);
    profile.apply(g, o);
    for (String p : profilers) {
      int colon = p.indexOf(':');
      if (colon < 0) {
        o.addProfiler(p);
      } else {
        o.addProfiler(p.substring(0, colon), p.substring(colon + 1));
      }
    }
    System.out.println("# " + g.id + ", round " + round + " of " + profile.rounds(g));
    try {
      new Runner(o.build()).run();
    } catch (RunnerException e) {
      failures.add(g.id + " (round " + round + "): " + e.getMessage());
      System.err.println("# group " + g.id + " failed in round " + round + ": " + e);
    }
  }

  /**
   * JMH options every run shares: the benchmarks {@code include} matches, the benchmark JVM's heap
   * and the server's address, JSON results into {@code result}.
   */
  static ChainedOptionsBuilder options(String include, Path result, NatsServerProcess server) {
    return new OptionsBuilder()
        .include(include)
        // AlwaysPreTouch: the first write to each heap page otherwise costs a page fault, and on
        // a virtual machine a slow one (measured: ~7,000 faults/s, +100 us on a NATS round trip
        // for the first ~30 s of a fork); it taxes whichever side allocates more, and is gone
        // once a long-running process has touched its heap
        .jvmArgs("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
            "-D" + BenchEnv.NATS_URL_PROPERTY + "=" + server.url(),
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
        .shouldFailOnError(false)
        .resultFormat(ResultFormatType.JSON)
        .result(result.toString());
  }

  /**
   * Prints (and saves beside the results) the table for result files or run directories; 1 when a
   * figure of a group that has results is missing.
   */
  static int report(List<String> paths) throws IOException {
    return report(paths, null);
  }

  /**
   * As {@link #report(List)}; a figure counts as missing only in the groups {@code ran} (by
   * default, those with any result), so that {@code --only reqrep} does not fail for the pub/sub
   * figures it never meant to measure.
   */
  static int report(List<String> paths, @Nullable Set<Group> ran) throws IOException {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("report needs a run directory or JMH JSON files");
    }
    Map<Integer, List<JmhResult>> rounds = new TreeMap<>();
    Properties info = new Properties();
    Path saveTo = null;
    for (String p : paths) {
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        saveTo = path.resolve("summary.txt");
        Path runInfo = path.resolve(RUN_INFO);
        if (Files.exists(runInfo)) {
          try (var r = Files.newBufferedReader(runInfo)) {
            info.load(r);
          }
        }
        try (Stream<Path> files = Files.list(path)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
            if (Files.size(f) > 0) {
              rounds.computeIfAbsent(roundOf(f), n -> new ArrayList<>()).addAll(JmhResult.read(f));
            }
          }
        }
      } else {
        rounds.computeIfAbsent(roundOf(path), n -> new ArrayList<>())
            .addAll(JmhResult.read(path));
      }
    }
    List<JmhResult> results = rounds.values().stream().flatMap(List::stream).toList();
    boolean hops = HopsRun.PROFILE.equals(info.getProperty("profile"));
    SummaryTable table = hops ? SummaryTable.ofRounds(List.copyOf(rounds.values()), HopsTable::of)
        : SummaryTable.ofRounds(List.copyOf(rounds.values()));
    String text = table.render(header(info));
    System.out.print(text);
    if (saveTo != null) {
      Files.writeString(saveTo, text, StandardCharsets.UTF_8);
      System.out.println("# saved in " + saveTo.getParent());
    }
    if (results.isEmpty()) {
      System.out.println("# no results in " + paths);
      return 1;
    }
    if (hops) {
      return table.anyMissing() ? 1 : 0;
    }
    Set<Group> measured = ran != null ? ran : Group.of(results);
    if (measured.size() < Group.values().length) {
      System.out.println("# not run: " + EnumSet.complementOf(EnumSet.copyOf(measured)).stream()
          .map(g -> g.id).collect(Collectors.joining(", ")) + " (their rows stay empty and do not "
          + "count as failures)");
    }
    return table.anyMissingIn(title -> measured.stream().anyMatch(g -> title.startsWith(
        g.sections))) ? 1 : 0;
  }

  private static final Pattern ROUND_FILE = Pattern.compile(".*-round(\\d+)\\.json");

  /** The round a results file holds: N for {@code GROUP-roundN.json}, else 1. */
  static int roundOf(Path file) {
    Matcher m = ROUND_FILE.matcher(file.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : 1;
  }

  private static List<String> header(Properties info) {
    List<String> h = new ArrayList<>();
    h.add("AgentBus benchmarks, " + info.getProperty("profile", "?") + " profile, started "
        + info.getProperty("started", "?"));
    h.add("machine: " + info.getProperty("cpus", "?") + " CPUs (" + info.getProperty("cpuModel",
        "?") + "), " + info.getProperty("os", "?") + "; load average before "
        + info.getProperty("loadBefore", "?") + ", after " + info.getProperty("loadAfter", "?"));
    h.add("JDK: " + info.getProperty("jdk", "?") + "; " + info.getProperty("natsServer",
        "nats-server ?") + " on loopback, sharing the CPUs");
    String rounds = info.getProperty("rounds");
    if (rounds != null) {
      h.add("rounds: " + rounds + " (every benchmark once per round, the rounds one after "
          + "another; each figure is the median of its rounds, and each target says in how many "
          + "rounds it was met against the same round's baseline)");
    }
    return h;
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return System.getProperty("os.arch");
    }
  }

  static String loadAverage() {
    try {
      String[] f = Pattern.compile("\\s+").split(Files.readString(Path.of("/proc/loadavg")).trim());
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
