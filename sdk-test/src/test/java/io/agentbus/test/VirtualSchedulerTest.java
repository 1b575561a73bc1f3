package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.time.Scheduler.Cancellable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  private final VirtualScheduler time = VirtualScheduler.startingAt(Instant.EPOCH);

  @Test
  void runsTasksWhenTheirTimeComesAndNotBefore() {
    List<String> ran = new ArrayList<>();
    time.schedule(Duration.ofSeconds(90), () -> ran.add("dead-check@" + time.now()));
    time.advance(Duration.ofSeconds(89));
    assertThat(ran).isEmpty();
    assertThat(time.now()).isEqualTo(Instant.EPOCH.plusSeconds(89));
    time.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("dead-check@1970-01-01T00:01:30Z");
  }

  @Test
  void periodicTasksRunEveryPeriodUntilCancelled() {
    List<Instant> beats = new ArrayList<>();
    Cancellable c = time.scheduleAtFixedRate(Duration.ZERO, Duration.ofSeconds(30),
        () -> beats.add(time.now()));
    time.advance(Duration.ofSeconds(95));
    assertThat(beats).containsExactly(Instant.EPOCH, Instant.EPOCH.plusSeconds(30),
        Instant.EPOCH.plusSeconds(60), Instant.EPOCH.plusSeconds(90));
    c.cancel();
    time.advance(Duration.ofMinutes(10));
    assertThat(beats).hasSize(4);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void tasksRunInDueOrderAndMayScheduleMore() {
    List<String> ran = new ArrayList<>();
    time.schedule(Duration.ofSeconds(2), () -> ran.add("b"));
    time.schedule(Duration.ofSeconds(1), () -> {
      ran.add("a");
      time.schedule(Duration.ofMillis(500), () -> ran.add("a+0.5"));
    });
    time.advance(Duration.ofSeconds(3));
    assertThat(ran).containsExactly("a", "a+0.5", "b");
  }

  @Test
  void aFailingTaskDoesNotStopTheOthers() {
    List<String> ran = new ArrayList<>();
    time.schedule(Duration.ofSeconds(1), () -> {
      throw new IllegalStateException("boom");
    });
    time.schedule(Duration.ofSeconds(1), () -> ran.add("second"));
    time.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("second");
  }

  @Test
  void awaitPendingTasksReturnsOnceAnotherThreadPutsWorkOnTheClock() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<String> ran = new ArrayList<>();
    Thread other = new Thread(() -> {
      try {
        go.await();
      } catch (InterruptedException e) {
        return;
      }
      time.schedule(Duration.ofSeconds(5), () -> ran.add("timeout"));
    });
    other.start();
    go.countDown();
    time.awaitPendingTasks(1, Duration.ofSeconds(10));
    time.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("timeout");
    other.join();
  }

  @Test
  void awaitPendingTasksGivesUpNamingHowManyArePending() {
    time.schedule(Duration.ofSeconds(1), () -> { });
    assertThatThrownBy(() -> time.awaitPendingTasks(2, Duration.ofMillis(20)))
        .isInstanceOf(TimeoutException.class).hasMessageContaining("1 are pending");
  }
}
