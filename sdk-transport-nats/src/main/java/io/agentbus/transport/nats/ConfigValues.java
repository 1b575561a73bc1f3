package io.agentbus.transport.nats;

import io.agentbus.ConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses configuration values; every error names the setting it came from. */
final class ConfigValues {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  private ConfigValues() {}

  /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT2S}. */
  static Duration duration(String source, String raw) {
    String v = raw.trim();
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = parseLong(source, m.group(1), v);
      switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ns": return Duration.ofNanos(n);
        case "us": return Duration.ofNanos(Math.multiplyExact(n, 1000L));
        case "ms": return Duration.ofMillis(n);
        case "s": return Duration.ofSeconds(n);
        case "m": return Duration.ofMinutes(n);
        case "h": return Duration.ofHours(n);
        default: return Duration.ofDays(n);
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

  /** Bytes: a plain number, or with a binary unit: {@code 512k}, {@code 8MiB}, {@code 1g}. */
  static long size(String source, String raw) {
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

  static int integer(String source, String raw) {
    String v = raw.trim();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("Invalid number '" + raw + "' for " + source
          + ": expected a whole number");
    }
  }

  static boolean bool(String source, String raw) {
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

  private static long parseLong(String source, String digits, String whole) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new ConfigurationException("Number '" + whole + "' for " + source + " is too large");
    }
  }
}
