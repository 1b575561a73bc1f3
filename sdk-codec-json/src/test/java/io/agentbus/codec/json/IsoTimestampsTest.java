package io.agentbus.codec.json;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Checks the hand-written timestamp code against java.time over many random instants. */
class IsoTimestampsTest {
  private static final DateTimeFormatter SEED_FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final long MIN_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Test
  void formatsLikeJavaTimeFromYear0000To9999() {
    Random random = new Random(11L);
    byte[] out = new byte[IsoTimestamps.MAX_LENGTH];
    for (int i = 0; i < 20_000; i++) {
      Instant t = randomInstant(random).truncatedTo(ChronoUnit.MILLIS);

      int length = IsoTimestamps.format(t, out);

      assertThat(new String(out, 0, length, US_ASCII)).isEqualTo(SEED_FORMAT.format(t));
    }
  }

  /** Three digits for whole milliseconds, six for whole microseconds, nine otherwise. */
  @Test
  void writesTheFewestOfThreeSixOrNineDigitsThatHoldTheInstant() {
    Random random = new Random(15L);
    byte[] out = new byte[IsoTimestamps.MAX_LENGTH];
    int[] seen = new int[10];
    for (int i = 0; i < 30_000; i++) {
      Instant t = randomInstant(random);
      Instant kept = i % 3 == 0 ? t.truncatedTo(ChronoUnit.MILLIS)
          : i % 3 == 1 ? t.truncatedTo(ChronoUnit.MICROS) : t;
      int digits = kept.getNano() % 1_000_000 == 0 ? 3 : kept.getNano() % 1_000 == 0 ? 6 : 9;
      seen[digits]++;

      int length = IsoTimestamps.format(kept, out);

      String text = new String(out, 0, length, US_ASCII);
      assertThat(text).as("%s", kept).isEqualTo(DateTimeFormatter.ofPattern(
          "uuuu-MM-dd'T'HH:mm:ss." + "S".repeat(digits) + "'Z'").withZone(ZoneOffset.UTC)
          .format(kept));
      assertThat(IsoTimestamps.parse(text.toCharArray(), 0, length)).as(text).isEqualTo(kept);
      assertThat(IsoTimestamps.parseCanonical(out, 0, length)).as(text).isEqualTo(kept);
    }
    assertThat(seen[3]).as("instants written with 3 digits").isGreaterThan(9000);
    assertThat(seen[6]).as("with 6 digits").isGreaterThan(9000);
    assertThat(seen[9]).as("with 9 digits").isGreaterThan(9000);
  }

  @Test
  void keepsNineFractionDigitsAndDropsAnyBeyond() {
    for (String[] c : new String[][] {
        {"2025-12-05T14:30:30.123456789Z", "2025-12-05T14:30:30.123456789Z"},
        {"2025-12-05T14:30:30.1234567891Z", "2025-12-05T14:30:30.123456789Z"},
        {"2025-12-05T14:30:30.99999999999999+00:00", "2025-12-05T14:30:30.999999999Z"},
        {"1969-12-31T23:59:59.000000001Z", "1969-12-31T23:59:59.000000001Z"},
        {"2025-12-05T14:30:30.1234567", "2025-12-05T14:30:30.1234567Z"}}) {
      assertThat(IsoTimestamps.parse(c[0].toCharArray(), 0, c[0].length())).as(c[0])
          .isEqualTo(Instant.parse(c[1]));
    }
  }

  @Test
  void readsItsOwnFormatOnTheCanonicalPathAsTheGeneralReaderDoes() {
    Random random = new Random(13L);
    byte[] out = new byte[IsoTimestamps.MAX_LENGTH];
    for (int i = 0; i < 20_000; i++) {
      Instant t = randomInstant(random).truncatedTo(ChronoUnit.MILLIS);
      int length = IsoTimestamps.format(t, out);
      assertThat(length).isEqualTo(24);
      assertThat(IsoTimestamps.parseCanonical(out, 0, length)).isEqualTo(t);
    }
  }

  @Test
  void leavesAnythingElseToTheGeneralReader() {
    Random random = new Random(14L);
    byte[] out = new byte[IsoTimestamps.MAX_LENGTH];
    byte[] interesting = "0123456789-:.TZz+ /x".getBytes(US_ASCII);
    int canonical = 0;
    for (int i = 0; i < 20_000; i++) {
      int length = IsoTimestamps.format(randomInstant(random), out);
      out[random.nextInt(length)] = interesting[random.nextInt(interesting.length)];
      // a text one shorter or longer than what was written (a digit lost or added) is not canonical
      int take = i % 5 == 0 ? length - 1 : i % 5 == 1 ? Math.min(length + 1, out.length) : length;
      String text = new String(out, 0, take, US_ASCII);
      Instant fast = IsoTimestamps.parseCanonical(out, 0, take);
      if (fast != null) {
        canonical++;
        assertThat(fast).as(text).isEqualTo(
            IsoTimestamps.parse(text.toCharArray(), 0, text.length()));
      }
    }
    assertThat(canonical).isGreaterThan(1000).isLessThan(20_000);
    for (String text : new String[] {"2025-02-29T00:00:00.000Z", "2025-13-01T00:00:00.000Z",
        "2025-12-05T24:00:00.000Z", "2025-12-05T23:60:00.000Z", "2025-12-05T23:59:60.000Z",
        "2025-12-05T14:30:00.000+", "2025-12-05T14:30:00,000Z", "2025-12-05 14:30:00.000Z",
        "2025-12-00T00:00:00.000Z", "-025-12-05T14:30:00.000Z", "2025-12-05T14:30:00.0000Z",
        "2025-12-05T14:30:00.12345Z", "2025-12-05T14:30:00.1234567Z", "2025-12-05T14:30:00.00Z",
        "2025-12-05T14:30:00.123456+00:00", "2025-12-05T14:30:00.12345xZ",
        "2025-12-05T14:30:00.1234567890Z"}) {
      byte[] bytes = text.getBytes(US_ASCII);
      assertThat(IsoTimestamps.parseCanonical(bytes, 0, bytes.length)).as(text).isNull();
    }
  }

  @Test
  void formatsNeighbouringDaysCorrectlyWhateverWasFormattedBefore() {
    byte[] out = new byte[IsoTimestamps.MAX_LENGTH];
    Instant midnight = Instant.parse("2025-12-05T00:00:00Z");
    for (Instant t : new Instant[] {midnight.minusMillis(1), midnight, midnight.minusMillis(1),
        midnight.plusSeconds(86_399), midnight.plusSeconds(86_400), Instant.EPOCH.minusMillis(1)}) {
      int length = IsoTimestamps.format(t, out);
      assertThat(new String(out, 0, length, US_ASCII)).isEqualTo(SEED_FORMAT.format(t));
    }
  }

  @Test
  void readsWhatJavaTimeWritesWithAnyOffsetAndFraction() {
    Random random = new Random(12L);
    for (int i = 0; i < 20_000; i++) {
      Instant t = randomInstant(random);
      int offsetMinutes = random.nextInt(18 * 60 * 2 + 1) - 18 * 60;
      ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetMinutes * 60);
      OffsetDateTime local = t.atOffset(offset);
      if (local.getYear() < 0 || local.getYear() > 9999) {
        continue;
      }
      int digits = 1 + random.nextInt(9);
      String text = DateTimeFormatter.ofPattern(
          "uuuu-MM-dd'T'HH:mm:ss." + "S".repeat(digits) + "xxx").format(local);
      int unit = 1;
      for (int d = digits; d < 9; d++) {
        unit *= 10;
      }
      Instant expected = Instant.ofEpochSecond(t.getEpochSecond(), t.getNano() / unit * unit);

      char[] chars = ("[" + text + "]").toCharArray();
      assertThat(IsoTimestamps.parse(chars, 1, text.length())).as(text).isEqualTo(expected);
    }
  }

  private static Instant randomInstant(Random random) {
    long second = MIN_SECOND + (long) (random.nextDouble() * (MAX_SECOND - MIN_SECOND));
    return Instant.ofEpochSecond(second, random.nextInt(1_000_000_000));
  }
}
