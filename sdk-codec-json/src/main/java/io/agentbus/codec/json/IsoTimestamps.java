package io.agentbus.codec.json;

import io.agentbus.CodecException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * The seed's timestamp text, written and read by hand because {@code DateTimeFormatter} costs
 * more than the rest of a message.
 *
 * <p>Writes {@code yyyy-MM-ddTHH:mm:ss.fffZ}, always in UTC with {@code Z}, with as many fraction
 * digits as the instant needs out of three, six or nine: three for a whole millisecond ({@code
 * 2025-12-05T14:30:00.000Z}, 24 ASCII bytes, what every message the bus stamps carries), six for a
 * whole microsecond ({@code 2025-12-05T14:30:30.123456Z}, what Python's {@code datetime} holds),
 * nine otherwise. Python 3.11's {@code datetime.fromisoformat} reads all three forms.
 *
 * <p>Reads what Python producers write: {@code datetime.isoformat()} with or without microseconds
 * ({@code 2025-12-05T14:30:30.123456+00:00}), {@code Z} or a numeric offset ({@code +05:30},
 * {@code -0800}, {@code +05:30:15}), any number of fraction digits, a {@code T}, {@code t} or
 * space between date and time, and no offset at all, which is read as UTC (the seed stamps UTC,
 * and {@code datetime.utcnow().isoformat()} writes no offset). The first nine fraction digits are
 * kept, to the nanosecond; digits beyond the ninth are dropped (truncated, not rounded), since an
 * {@link Instant} holds nanoseconds.
 */
final class IsoTimestamps {
  /** Length of the longest text {@link #format} writes: nine fraction digits. */
  static final int MAX_LENGTH = 30;

  private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
  private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z
  private static final int MAX_ECHO = 64;

  /**
   * Messages of a burst share a day: the last day written, and the last day read, each saves a
   * calendar computation per message.
   */
  private static volatile Day lastDay = new Day(LocalDate.EPOCH);
  private static volatile Day lastParsedDay = lastDay;

  private IsoTimestamps() {}

  /** An immutable day and its {@code yyyy-MM-ddT} text; safe to share through a volatile. */
  private static final class Day {
    final long epochDay;
    final int year;
    final int month;
    final int day;
    final byte[] text = new byte[11];

    Day(LocalDate date) {
      this.epochDay = date.toEpochDay();
      this.year = date.getYear();
      this.month = date.getMonthValue();
      this.day = date.getDayOfMonth();
      digits(text, 0, year / 100, 2);
      digits(text, 2, year % 100, 2);
      text[4] = '-';
      digits(text, 5, month, 2);
      text[7] = '-';
      digits(text, 8, day, 2);
      text[10] = 'T';
    }
  }

  /**
   * Writes {@code t} into {@code out} from index 0, as {@link #format(Instant, byte[], int)} does.
   *
   * @return the number of bytes written: 24, 27 or 30
   * @throws CodecException if the year is outside 0000..9999
   */
  static int format(Instant t, byte[] out) {
    return format(t, out, 0);
  }

  /**
   * Writes {@code t} as {@code yyyy-MM-ddTHH:mm:ss.fffZ} with three, six or nine fraction digits
   * (the fewest that hold it exactly) into {@code out[at..)}, which must have room for {@link
   * #MAX_LENGTH} bytes.
   *
   * @return the number of bytes written: 24, 27 or 30
   * @throws CodecException if the year is outside 0000..9999
   */
  static int format(Instant t, byte[] out, int at) {
    long second = t.getEpochSecond();
    if (second < MIN_SECOND || second > MAX_SECOND) {
      throw new CodecException("Cannot encode timestamp " + t + ": the seed's format carries years"
          + " 0000 to 9999 only");
    }
    long day = Math.floorDiv(second, 86_400L);
    int secondOfDay = (int) Math.floorMod(second, 86_400L);
    Day date = lastDay;
    if (date.epochDay != day) {
      date = new Day(LocalDate.ofEpochDay(day));
      lastDay = date;
    }
    System.arraycopy(date.text, 0, out, at, 11);
    digits(out, at + 11, secondOfDay / 3600, 2);
    out[at + 13] = ':';
    digits(out, at + 14, secondOfDay / 60 % 60, 2);
    out[at + 16] = ':';
    digits(out, at + 17, secondOfDay % 60, 2);
    out[at + 19] = '.';
    int nano = t.getNano();
    int fraction;
    if (nano % 1_000_000 == 0) {
      digits(out, at + 20, nano / 1_000_000, 3);
      fraction = 3;
    } else if (nano % 1_000 == 0) {
      digits(out, at + 20, nano / 1_000, 6);
      fraction = 6;
    } else {
      digits(out, at + 20, nano, 9);
      fraction = 9;
    }
    out[at + 20 + fraction] = 'Z';
    return 21 + fraction;
  }

  private static void digits(byte[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Reads {@code b[off..off+len)} if it is a valid timestamp in exactly a form {@link #format}
   * writes ({@code 2025-12-05T14:30:00.000Z}, or with six or nine fraction digits), as most
   * messages carry it; otherwise returns null and {@link #parse} must read it (and say what is
   * wrong, if anything). Gives what {@link #parse} gives for the same text.
   */
  static @Nullable Instant parseCanonical(byte[] b, int off, int len) {
    int fraction = len - 21;
    if ((fraction != 3 && fraction != 6 && fraction != 9) || off + len > b.length
        || b[off + 4] != '-' || b[off + 7] != '-' || b[off + 10] != 'T' || b[off + 13] != ':'
        || b[off + 16] != ':' || b[off + 19] != '.' || b[off + len - 1] != 'Z') {
      return null;
    }
    int year = readDigits(b, off, 4);
    int month = readDigits(b, off + 5, 2);
    int day = readDigits(b, off + 8, 2);
    int hour = readDigits(b, off + 11, 2);
    int minute = readDigits(b, off + 14, 2);
    int second = readDigits(b, off + 17, 2);
    int digits = readDigits(b, off + 20, fraction);
    if ((year | month | day | hour | minute | second | digits) < 0
        || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    Day d = lastParsedDay;
    if (d.day != day || d.month != month || d.year != year) {
      try {
        d = new Day(LocalDate.of(year, month, day));
      } catch (DateTimeException e) {
        return null;
      }
      lastParsedDay = d;
    }
    int nanos = fraction == 3 ? digits * 1_000_000 : fraction == 6 ? digits * 1_000 : digits;
    return Instant.ofEpochSecond(d.epochDay * 86_400L + hour * 3600L + minute * 60L + second,
        nanos);
  }

  /** The decimal value of {@code width} ASCII digits at {@code at}, or -1 if one is not a digit. */
  private static int readDigits(byte[] b, int at, int width) {
    int v = 0;
    for (int i = at; i < at + width; i++) {
      int digit = b[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      v = v * 10 + digit;
    }
    return v;
  }

  /**
   * Reads the text in {@code c[off..off+len)}.
   *
   * @throws CodecException naming the text and what is wrong with it
   */
  static Instant parse(char[] c, int off, int len) {
    return new Reader(c, off, len).read();
  }

  private static final class Reader {
    private final char[] c;
    private final int start;
    private final int end;
    private int pos;

    Reader(char[] c, int off, int len) {
      this.c = c;
      this.start = off;
      this.end = off + len;
      this.pos = off;
    }

    Instant read() {
      int year = number(4, "a 4-digit year");
      expect('-');
      int month = number(2, "a 2-digit month");
      expect('-');
      int day = number(2, "a 2-digit day");
      if (pos < end && (c[pos] == 'T' || c[pos] == 't' || c[pos] == ' ')) {
        pos++;
      } else {
        throw problem("expected 'T' between date and time");
      }
      int hour = number(2, "a 2-digit hour");
      expect(':');
      int minute = number(2, "2-digit minutes");
      expect(':');
      int second = number(2, "2-digit seconds");
      int nanos = 0;
      if (pos < end && (c[pos] == '.' || c[pos] == ',')) {
        pos++;
        int digits = 0;
        while (pos < end && isDigit(c[pos])) {
          // an Instant holds nanoseconds: digits beyond the ninth are read and dropped
          if (++digits <= 9) {
            nanos = nanos * 10 + (c[pos] - '0');
          }
          pos++;
        }
        if (digits == 0) {
          throw problem("expected fraction digits after the decimal point");
        }
        for (int i = digits; i < 9; i++) {
          nanos *= 10;
        }
      }
      int offsetSeconds = 0;
      if (pos < end) {
        char ch = c[pos];
        if (ch == 'Z' || ch == 'z') {
          pos++;
        } else if (ch == '+' || ch == '-') {
          pos++;
          int oh = number(2, "a 2-digit offset hour");
          boolean colon = pos < end && c[pos] == ':';
          if (colon) {
            pos++;
          }
          int om = number(2, "2-digit offset minutes");
          int os = 0;
          if (colon && pos < end && c[pos] == ':') {
            pos++;
            os = number(2, "2-digit offset seconds");
          }
          if (oh > 23 || om > 59 || os > 59) {
            throw problem("offset out of range");
          }
          offsetSeconds = (ch == '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
        } else {
          throw problem("expected 'Z', an offset like +00:00, or the end");
        }
      }
      if (pos != end) {
        throw problem("unexpected text after the time");
      }
      if (hour > 23 || minute > 59 || second > 59) {
        pos = start + 11;
        throw problem("time of day out of range");
      }
      long epochDay;
      try {
        epochDay = LocalDate.of(year, month, day).toEpochDay();
      } catch (DateTimeException e) {
        pos = start;
        throw problem("no such date (" + e.getMessage() + ")");
      }
      long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
      if (epochSecond < MIN_SECOND || epochSecond > MAX_SECOND) {
        // an offset can push year 0000 or 9999 out of range; such a message could not be re-encoded
        pos = end;
        throw problem("outside years 0000 to 9999 once converted to UTC");
      }
      return Instant.ofEpochSecond(epochSecond, nanos);
    }

    private int number(int width, String what) {
      if (pos + width > end) {
        throw problem("expected " + what);
      }
      int v = 0;
      for (int i = 0; i < width; i++) {
        char ch = c[pos];
        if (!isDigit(ch)) {
          throw problem("expected " + what);
        }
        v = v * 10 + (ch - '0');
        pos++;
      }
      return v;
    }

    private void expect(char ch) {
      if (pos >= end || c[pos] != ch) {
        throw problem("expected '" + ch + "'");
      }
      pos++;
    }

    private static boolean isDigit(char ch) {
      return ch >= '0' && ch <= '9';
    }

    private CodecException problem(String what) {
      String text = new String(c, start, end - start);
      String echo = text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
      return new CodecException("Invalid timestamp '" + echo + "': " + what + " at character "
          + (pos - start) + "; expected ISO-8601 like 2025-12-05T14:30:00.000Z or"
          + " 2025-12-05T14:30:00.123456+00:00");
    }
  }
}
