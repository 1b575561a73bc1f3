package io.agentbus.benchmarks;

/** Where the benchmarks find what {@link BenchmarkMain} set up for them. */
final class BenchEnv {
  /** System property carrying the URL of the nats-server the runner started. */
  static final String NATS_URL_PROPERTY = "agentbus.bench.natsUrl";
  /** Environment variable read when the property is absent (for running JMH by hand). */
  static final String NATS_URL_ENV = "AGENTBUS_BENCH_NATS_URL";

  private BenchEnv() {}

  /**
   * The NATS server URL for the NATS benchmarks.
   *
   * @throws IllegalStateException if neither the property nor the variable is set
   */
  static String natsUrl() {
    String url = System.getProperty(NATS_URL_PROPERTY);
    if (url == null || url.isBlank()) {
      url = System.getenv(NATS_URL_ENV);
    }
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("The NATS benchmarks need a running nats-server: run "
          + "bench/run.sh (it starts one), or pass -D" + NATS_URL_PROPERTY
          + "=nats://127.0.0.1:<port> to the JMH JVM (or set " + NATS_URL_ENV + ")");
    }
    return url;
  }
}
