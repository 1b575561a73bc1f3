package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FlushRoundsTest {

  @Test
  void callersWhoAskDuringARoundShareTheNextOneAndNeverTwoRunAtOnce() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlapped = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger();
    CountDownLatch firstRoundEntered = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    FlushRounds flushes = new FlushRounds(timeout -> {
      if (running.incrementAndGet() > 1) {
        overlapped.incrementAndGet();
      }
      try {
        if (rounds.incrementAndGet() == 1) {
          firstRoundEntered.countDown();
          releaseFirst.await();
        }
      } finally {
        running.decrementAndGet();
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(21);
    try {
      Future<?> first = pool.submit(() -> {
        flushes.flush(Duration.ofSeconds(30));
        return null;
      });
      assertThat(firstRoundEntered.await(30, TimeUnit.SECONDS)).isTrue();
      // twenty callers arrive while the first round is in flight: its PING may have left before
      // their writes, so none may count on it; they all wait for the next round, and share it
      List<Future<?>> later = new ArrayList<>();
      CountDownLatch asked = new CountDownLatch(20);
      for (int i = 0; i < 20; i++) {
        later.add(pool.submit(() -> {
          asked.countDown();
          flushes.flush(Duration.ofSeconds(30));
          return null;
        }));
      }
      assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
      for (Future<?> f : later) {
        assertThat(f.isDone()).isFalse();
      }
      releaseFirst.countDown();
      first.get(30, TimeUnit.SECONDS);
      for (Future<?> f : later) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(overlapped.get()).isZero();
      // the first round, then at most one more per caller (usually one for all twenty)
      assertThat(rounds.get()).isBetween(2, 21);
    } finally {
      releaseFirst.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aCallerWhoseRoundCannotFinishInItsTimeoutGetsATimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    FlushRounds flushes = new FlushRounds(timeout -> {
      if (!never.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("no PONG");
      }
    });
    assertThatThrownBy(() -> flushes.flush(Duration.ofMillis(50)))
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void aFailureOfTheConnectionReachesEveryCallerOfTheRound() {
    FlushRounds flushes = new FlushRounds(timeout -> {
      throw new IllegalStateException("Connection is Closed");
    });
    assertThatThrownBy(() -> flushes.flush(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Closed");
  }
}
