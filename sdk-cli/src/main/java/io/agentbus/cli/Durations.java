package io.agentbus.cli;

import io.agentbus.config.ConfigValues;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Durations on the command line in the configuration's grammar ({@code 500ms}, {@code 5s}, {@code 2m}). */
final class Durations implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return ConfigValues.positiveDuration("the option", value);
  }

  /** {@code 1.5s}, {@code 42s}, {@code 3m 5s}, {@code 2h 1m}: short, for a column. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      ms = 0;
    }
    if (ms < 10_000) {
      return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format(java.util.Locale.ROOT, "%.1fs",
          ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return (s / 3600) + "h " + (s % 3600 / 60) + "m";
  }
}
