package io.agentbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bounded nonce memory that never lets a copy in: {@link ReplayGuard}. */
class ReplayGuardTest {
  private static final long WINDOW = 16_000; // slices of 1 s
  private static final long T0 = 1_733_409_130_000L;

  @Test
  void aNonceIsAcceptedOnceWithinTheWindowAndForgottenOnlyWhenItsTimeIsOutside() {
    ReplayGuard guard = new ReplayGuard(WINDOW, 1_000);
    assertThat(guard.check("n1", T0, T0)).isNull();
    assertThat(guard.check("n1", T0, T0 + 5_000)).contains("already received");
    assertThat(guard.check("n2", T0, T0 + 5_000)).isNull();
    // once T0 is outside the window, its nonces are dropped, and its messages refused by time
    assertThat(guard.check("n3", T0 + 20_000, T0 + 20_000)).isNull();
    assertThat(guard.size()).isEqualTo(1);
    assertThat(guard.check("n1", T0, T0 + 20_000)).contains("outside the replay window");
  }

  @Test
  void pastItsCapacityTheGuardShortensItsWindowInsteadOfRefusingNewMessages() {
    ReplayGuard guard = new ReplayGuard(WINDOW, 4);
    for (int i = 0; i < 4; i++) {
      assertThat(guard.check("old" + i, T0 + i * 1_000, T0 + 4_000)).isNull();
    }
    // full: a new message is accepted; the oldest slice (T0) is forgotten ...
    assertThat(guard.check("new", T0 + 4_000, T0 + 4_000)).isNull();
    assertThat(guard.size()).isEqualTo(4);
    // ... so a copy of a forgotten nonce is refused by time, not let in
    assertThat(guard.check("old0", T0, T0 + 4_000)).contains("forgot the oldest nonces");
    // what is still remembered is still refused as a copy
    assertThat(guard.check("old1", T0 + 1_000, T0 + 4_000)).contains("already received");
    // the next new message forgets the next slice (T0+1 s): a message signed within it is now
    // refused by time, one signed after it and never seen is accepted
    assertThat(guard.check("next", T0 + 4_000, T0 + 4_000)).isNull();
    assertThat(guard.check("old1", T0 + 1_000, T0 + 4_000)).contains("forgot the oldest nonces");
    assertThat(guard.check("late", T0 + 3_500, T0 + 4_000)).isNull();
    assertThat(guard.size()).isEqualTo(4);
  }

  @Test
  void aBurstWithinOneSliceBeyondCapacityIsRefusedWithTheReasonAndMemoryStaysBounded() {
    ReplayGuard guard = new ReplayGuard(WINDOW, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(guard.check("b" + i, T0, T0)).isNull();
    }
    assertThat(guard.check("b3", T0, T0)).contains("the shortest window this receiver can "
        + "remember");
    assertThat(guard.size()).isZero();
    // and none of the forgotten ones can be replayed
    assertThat(guard.check("b0", T0, T0)).isNotNull();
    // later messages are fine again
    assertThat(guard.check("c0", T0 + 1_000, T0 + 1_000)).isNull();
  }

  @Test
  void timestampsFromTheFutureBeyondTheWindowAreRefused() {
    ReplayGuard guard = new ReplayGuard(WINDOW, 10);
    assertThat(guard.check("f", T0 + WINDOW + 1, T0)).contains("outside the replay window");
    assertThat(guard.check("f", T0 + WINDOW, T0)).isNull();
  }
}
