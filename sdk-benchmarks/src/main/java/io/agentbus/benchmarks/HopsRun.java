package io.agentbus.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bench/run.sh hops}: only the figures of "requests without extra hops", in one run and in
 * {@value #ROUNDS} rounds, each round the request/reply benchmarks then the CPU-per-message ones,
 * and their table ({@link HopsTable}). Request/reply: raw jnats, the NATS and in-memory transports
 * alone and a {@link io.agentbus.MessageBus} on each, JSON, one request at a time and {@value
 * RawNatsRequestReplyBenchmark#IN_FLIGHT} in flight. CPU per message: raw jnats and the bus on
 * NATS, JSON and Protobuf, one publisher to one subscriber, with {@link CpuShareProfiler}. About 6
 * minutes on 2 cores.
 */
final class HopsRun {
  /** The mode's name on the command line and as the run's profile in {@code run.properties}. */
  static final String PROFILE = "hops";
  static final int ROUNDS = 2;

  private static final String REQREP =
      "\\.(RawNatsRequestReply|BusRequestReply|TransportRequestReply)Benchmark\\.";
  private static final String CPU = "\\.(RawNats|Bus|Transport)PubSubBenchmark\\.";

  private HopsRun() {}

  /** Runs both groups {@value #ROUNDS} times beside a nats-server of its own; the exit status. */
  static int run(Path out) throws IOException, InterruptedException {
    Properties info = BenchmarkMain.runInfo(PROFILE);
    info.setProperty("rounds", "reqrep " + ROUNDS + ", cpu " + ROUNDS);
    List<String> failures = new ArrayList<>();
    try (NatsServerProcess server = NatsServerProcess.start(NatsServerProcess.findBinary(),
        out.resolve("nats-server.log"))) {
      info.setProperty("natsServer", server.version());
      System.out.println("# nats-server " + server.version() + " at " + server.url()
          + "; load " + BenchmarkMain.loadAverage());
      for (int round = 1; round <= ROUNDS; round++) {
        String suffix = round == 1 ? "" : "-round" + round;
        ChainedOptionsBuilder reqrep =
            BenchmarkMain.options(REQREP, out.resolve("reqrep" + suffix + ".json"), server)
                .param("payload", Codecs.JSON).param("codec", Codecs.JSON);
        timing(reqrep, 4, 5);
        run(reqrep, "reqrep", round, failures);
        ChainedOptionsBuilder cpu =
            BenchmarkMain.options(CPU, out.resolve("cpu" + suffix + ".json"), server)
                .param("transport", BusFixture.NATS).param("fanout", BenchMessages.Fanout.ONE)
                .param("headers", "none").addProfiler(CpuShareProfiler.class);
        // jnats runs slowly for the first 4-6 s of a JVM (see BenchmarkMain.Profile)
        timing(cpu, 6, 5);
        run(cpu, "cpu", round, failures);
      }
    }
    BenchmarkMain.saveRunInfo(info, out);
    int status = BenchmarkMain.report(List.of(out.toString()));
    failures.forEach(f -> System.err.println("# " + f));
    return failures.isEmpty() ? status : 1;
  }

  private static void timing(ChainedOptionsBuilder o, int warmups, int measurements) {
    o.forks(1).warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
        .measurementIterations(measurements).measurementTime(TimeValue.seconds(1));
  }

  private static void run(ChainedOptionsBuilder o, String group, int round,
      List<String> failures) {
    System.out.println("# hops: " + group + ", round " + round + " of " + ROUNDS);
    try {
      new Runner(o.build()).run();
    } catch (RunnerException e) {
      failures.add(group + " (round " + round + "): " + e.getMessage());
    }
  }
}
