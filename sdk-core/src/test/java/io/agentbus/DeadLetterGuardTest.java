package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterGuardTest {
  /** A clock that moves only when told. */
  private static final class Clock implements Scheduler {
    Instant now = Instant.parse("2026-12-06T18:00:00Z");

    @Override
    public Instant now() {
      return now;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period,
        Runnable task) {
      throw new UnsupportedOperationException();
    }
  }

  private final Clock clock = new Clock();
  private final DeadLetterGuard guard = new DeadLetterGuard(clock, 1 << 20);

  @Test
  void eachSourceGetsItsRatePerSecondAndTheBusItsTotal() {
    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      admitted += guard.admit("ns.agent.victim.x") ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(DeadLetterGuard.PER_SOURCE_PER_SECOND);
    assertThat(guard.admit("ns.agent.other.x")).as("another source is not starved").isTrue();

    int total = 1 + DeadLetterGuard.PER_SOURCE_PER_SECOND;
    for (int s = 0; s < 100; s++) {
      for (int i = 0; i < DeadLetterGuard.PER_SOURCE_PER_SECOND; i++) {
        total += guard.admit("ns.agent.s" + s + ".x") ? 1 : 0;
      }
    }
    assertThat(total).isEqualTo(DeadLetterGuard.TOTAL_PER_SECOND);

    clock.now = clock.now.plusSeconds(1);
    assertThat(guard.admit("ns.agent.victim.x")).as("a new second").isTrue();
  }

  @Test
  void aPayloadAtMaxPayloadIsCutToFitWithItsSizeAndDigest() {
    byte[] big = new byte[1 << 20];
    Arrays.fill(big, (byte) 'x');
    Headers.Builder h = Headers.builder().set(Headers.ERROR, "decode failed: too big")
        .set(Headers.ORIGINAL_SUBJECT, "ns.agent.a.x");
    DeadLetterGuard.Shaped dl = guard.fit(h, big, "decode failed: too big", "ns.agent.a.x");
    assertThat(dl.headers().first(DeadLetterGuard.TRUNCATED)).isEqualTo("true");
    assertThat(dl.headers().first(DeadLetterGuard.ORIGINAL_SIZE)).isEqualTo("1048576");
    assertThat(dl.headers().first(DeadLetterGuard.ORIGINAL_DIGEST)).startsWith("sha-256=")
        .hasSize("sha-256=".length() + 64);
    long headerBytes = dl.headers().asMap().entrySet().stream()
        .mapToLong(e -> e.getKey().length() + e.getValue().get(0).length() + 4).sum() + 12;
    assertThat(dl.payload().length + headerBytes).isLessThanOrEqualTo(1 << 20);
    assertThat(dl.payload().length).isGreaterThan((1 << 20) - 1024);
    assertThat(Arrays.equals(dl.payload(), 0, dl.payload().length, big, 0, dl.payload().length))
        .isTrue();
  }

  @Test
  void originalHeadersTooLargeToKeepAreDroppedNotTheDeadLetter() {
    Headers.Builder h = Headers.builder().set("X-Huge", "y".repeat(600_000));
    DeadLetterGuard.Shaped dl = guard.fit(h, new byte[] {1, 2, 3}, "err", "ns.agent.a.x");
    assertThat(dl.headers().contains("X-Huge")).isFalse();
    assertThat(dl.headers().first(DeadLetterGuard.ORIGINAL_HEADERS)).isEqualTo(
        "dropped: too large");
    assertThat(dl.headers().first(Headers.ORIGINAL_SUBJECT)).isEqualTo("ns.agent.a.x");
    assertThat(dl.payload()).containsExactly(1, 2, 3);
  }
}
