package io.agentbus.spi.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SpinWaitTest {
  @Test
  void endsDoneWhenTheConditionComesTrue() {
    int[] reads = new int[1];
    assertThat(new SpinWait(1).spinUntil(SpinWait.MAX_NANOS, () -> ++reads[0] == 3))
        .isEqualTo(SpinWait.Outcome.DONE);
    assertThat(reads[0]).isEqualTo(3);
  }

  @Test
  void endsMissedWhenTheBudgetRunsOut() {
    assertThat(new SpinWait(1).spinUntil(1_000, () -> false)).isEqualTo(SpinWait.Outcome.MISSED);
  }

  @Test
  void doesNotSpinWithoutABudgetOrWithoutSpinners() {
    assertThat(new SpinWait(1).spinUntil(0, () -> true)).isEqualTo(SpinWait.Outcome.NOT_SPUN);
    assertThat(new SpinWait(0).spinUntil(SpinWait.MAX_NANOS, () -> true))
        .isEqualTo(SpinWait.Outcome.NOT_SPUN);
    assertThatThrownBy(() -> new SpinWait(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSpinners must be 0 or more, was -1");
  }

  @Test
  void noMoreThreadsSpinAtOnceThanTheLimit() throws Exception {
    SpinWait spin = new SpinWait(1);
    CountDownLatch spinning = new CountDownLatch(1);
    AtomicBoolean release = new AtomicBoolean();
    CompletableFuture<SpinWait.Outcome> first = CompletableFuture.supplyAsync(
        () -> spin.spinUntil(TimeUnit.MINUTES.toNanos(1), () -> {
          spinning.countDown();
          return release.get();
        }));
    assertThat(spinning.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(spin.spinUntil(SpinWait.MAX_NANOS, () -> true))
        .as("the one spinner's place is taken").isEqualTo(SpinWait.Outcome.NOT_SPUN);
    release.set(true);
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(SpinWait.Outcome.DONE);
    assertThat(spin.spinUntil(SpinWait.MAX_NANOS, () -> true)).isEqualTo(SpinWait.Outcome.DONE);
  }

  @Test
  void learnsToSpinOnlyForWorkThatComesSoonAfterGoingIdle() {
    long idle = 5_000_000;
    assertThat(SpinWait.learn(0, idle, idle + SpinWait.MAX_NANOS - 1))
        .isEqualTo(SpinWait.MAX_NANOS);
    assertThat(SpinWait.learn(8_000, idle, idle + SpinWait.MAX_NANOS)).isEqualTo(4_000);
    assertThat(SpinWait.learn(SpinWait.MAX_NANOS, 0, idle)).as("never idle before")
        .isEqualTo(SpinWait.MAX_NANOS / 2);
  }
}
