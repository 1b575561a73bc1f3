package io.agentbus.config;

import io.agentbus.ConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of AgentBus configuration values, used by every module that reads settings
 * (the agent template's {@code agentbus.*} keys, the NATS transport's {@code agentbus.nats.*}
 * keys, the command line). Each parser takes the name of the setting the text came from ({@code
 * "agentbus.request-timeout (from environment variable AGENTBUS_REQUEST_TIMEOUT)"}, say) and
 * throws a {@link ConfigurationException} that names it, the bad text and what would be valid.
 *
 * <ul>
 *   <li><b>Durations</b>: a whole number and a unit, {@code ns us ms s m h d} ({@code 500ms},
 *       {@code 30s}, {@code 2m}), or ISO-8601 ({@code PT30S}).
 *   <li><b>Sizes</b>: bytes, optionally with a binary unit, {@code k m g} with or without {@code
 *       b}/{@code ib} ({@code 512k}, {@code 8MiB}, {@code 1g}; powers of 1024).
 *   <li><b>Booleans</b>: {@code true} or {@code false}, any case.
 *   <li><b>Whole numbers</b>: decimal.
 *   <li><b>Lists</b>: comma-separated, each element trimmed, empty elements dropped.
 * </ul>
 *
 * <p>Leading and trailing blanks are ignored everywhere.
 */
public final class ConfigValues {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  private ConfigValues() {}

  /**
   * {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT2S}.
   *
   * @throws ConfigurationException naming {@code source} if {@code raw} is neither
   */
  public static Duration duration(String source, String raw) {
    String v = raw.trim();
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = parseLong(source, m.group(1), v);
      try {
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ns": return Duration.ofNanos(n);
          case "us": return Duration.ofNanos(Math.multiplyExact(n, 1000L));
          case "ms": return Duration.ofMillis(n);
          case "s": return Duration.ofSeconds(n);
          case "m": return Duration.ofMinutes(n);
          case "h": return Duration.ofHours(n);
          default: return Duration.ofDays(n);
        }
      } catch (ArithmeticException e) {
        throw new ConfigurationException("Duration '" + raw + "' for " + source
            + " is too large");
      }
    }
    if (v.length() > 1 && (v.charAt(0) == 'P' || v.charAt(0) == 'p')) {
      try {
        return Duration.parse(v);
      } catch (DateTimeParseException e) {
        // fall through to the error below
      }
    }
    throw new ConfigurationException("Invalid duration '" + raw + "' for " + source
        + ": use a number with a unit (500ms, 2s, 1m, 1h) or ISO-8601 (PT2S)");
  }

  /**
   * A duration that must be above zero.
   *
   * @throws ConfigurationException naming {@code source} if {@code raw} is invalid or not positive
   */
  public static Duration positiveDuration(String source, String raw) {
    Duration d = duration(source, raw);
    if (d.isZero() || d.isNegative()) {
      throw new ConfigurationException("Invalid duration '" + raw + "' for " + source
          + ": must be greater than zero");
    }
    return d;
  }

  /**
   * Bytes: a plain number, or with a binary unit: {@code 512k}, {@code 8MiB}, {@code 1g}.
   *
   * @throws ConfigurationException naming {@code source} if {@code raw} is not a size
   */
  public static long size(String source, String raw) {
    String v = raw.trim();
    Matcher m = SIZE.matcher(v);
    if (!m.matches()) {
      throw new ConfigurationException("Invalid size '" + raw + "' for " + source
          + ": use a number of bytes, optionally with a unit (512k, 8MiB, 1g; units are "
          + "powers of 1024)");
    }
    long n = parseLong(source, m.group(1), v);
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor;
    switch (unit.charAt(0)) {
      case 'k': factor = 1L << 10; break;
      case 'm': factor = 1L << 20; break;
      case 'g': factor = 1L << 30; break;
      default: factor = 1;
    }
    try {
      return Math.multiplyExact(n, factor);
    } catch (ArithmeticException e) {
      throw new ConfigurationException("Size '" + raw + "' for " + source + " is too large");
    }
  }

  /**
   * A whole number.
   *
   * @throws ConfigurationException naming {@code source} if {@code raw} is not one
   */
  public static int integer(String source, String raw) {
    String v = raw.trim();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("Invalid number '" + raw + "' for " + source
          + ": expected a whole number");
    }
  }

  /**
   * A whole number of at least {@code min}.
   *
   * @throws ConfigurationException naming {@code source} if {@code raw} is not one
   */
  public static int integerAtLeast(String source, String raw, int min) {
    int n = integer(source, raw);
    if (n < min) {
      throw new ConfigurationException("Invalid number '" + raw + "' for " + source
          + ": must be at least " + min);
    }
    return n;
  }

  /**
   * {@code true} or {@code false}, in any case.
   *
   * @throws ConfigurationException naming {@code source} for anything else
   */
  public static boolean bool(String source, String raw) {
    String v = raw.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      return false;
    }
    throw new ConfigurationException("Invalid value '" + raw + "' for " + source
        + ": expected true or false");
  }

  /** Comma-separated elements, trimmed, empty ones dropped: {@code " a, b,,c "} is a, b, c. */
  public static List<String> list(String raw) {
    List<String> out = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      String t = part.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  private static long parseLong(String source, String digits, String whole) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("Number '" + whole + "' for " + source + " is too large");
    }
  }
}
