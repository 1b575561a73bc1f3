package io.agentbus.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.agentbus.Agent.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The lifecycle state machine alone, driven by latches; no sleeps, no timing. */
class ServiceLifecycleTest {
  /** A guard against hangs, not a performance bound. */
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final List<String> A_WHOLE_LIFE = List.of("NEW->STARTING", "STARTING->RUNNING",
      "RUNNING->STOPPING", "STOPPING->TERMINATED");

  /** A service whose start and stop the test completes when it chooses, from any thread. */
  private static final class TestService extends ServiceLifecycle {
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
    final AtomicReference<@Nullable Throwable> stopCause = new AtomicReference<>();
    final CountDownLatch stopCalled = new CountDownLatch(1);
    @Nullable RuntimeException throwInStart;
    @Nullable RuntimeException throwInStop;
    boolean startsAtOnce = true;
    boolean stopsAtOnce = true;

    TestService() {
      super(() -> "Service 'test'");
    }

    @Override
    protected void doStart() {
      starts.incrementAndGet();
      if (throwInStart != null) {
        throw throwInStart;
      }
      if (startsAtOnce) {
        notifyStarted();
      }
    }

    @Override
    protected void doStop(@Nullable Throwable cause) {
      stops.incrementAndGet();
      stopCause.set(cause);
      stopCalled.countDown();
      if (throwInStop != null) {
        throw throwInStop;
      }
      if (stopsAtOnce) {
        notifyStopped();
      }
    }

    void started() {
      notifyStarted();
    }

    void stopped() {
      notifyStopped();
    }

    void failed(Throwable t) {
      notifyFailed(t);
    }
  }

  private static List<String> record(ServiceLifecycle s) {
    List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    s.addListener((from, to, failure) -> transitions.add(from + "->" + to
        + (failure != null ? " (" + failure.getMessage() + ")" : "")));
    return transitions;
  }

  /** Runs {@code body} on a new thread and returns once it finished. */
  private static void onAnotherThread(Runnable body) throws InterruptedException {
    Thread t = new Thread(body, "test-other");
    t.start();
    t.join();
  }

  /**
   * Starts a thread that awaits RUNNING (interrupted first, if so asked) and records how that
   * ended; returns once the thread is about to wait.
   */
  private static Thread awaitRunningOnAnotherThread(ServiceLifecycle s, boolean interrupted,
      AtomicReference<@Nullable String> outcome) throws InterruptedException {
    CountDownLatch waiting = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      waiting.countDown();
      try {
        s.awaitRunning(WAIT);
        outcome.set("running, interrupted=" + Thread.currentThread().isInterrupted());
      } catch (Exception e) {
        outcome.set(e.toString());
      }
    }, "test-waiter");
    waiter.start();
    waiting.await();
    return waiter;
  }

  @Test
  void goesThroughEveryStateInOrderAndTellsTheListenersBeforeTheAwaitsReturn() throws Exception {
    TestService s = new TestService();
    List<String> transitions = record(s);
    assertThat(s.state()).isEqualTo(State.NEW);

    s.startAsync().awaitRunning(WAIT);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING");
    assertThat(s.isRunning()).isTrue();

    s.stopAsync().awaitTerminated(WAIT);
    assertThat(transitions).isEqualTo(A_WHOLE_LIFE);
    assertThat(s.failureCause()).isNull();
    assertThat(s.stopCause.get()).isNull();
  }

  @Test
  void anAsynchronousStartIsAwaited() throws Exception {
    TestService s = new TestService();
    s.startsAtOnce = false;
    List<String> transitions = record(s);

    s.startAsync();
    assertThat(s.state()).isEqualTo(State.STARTING);
    assertThatThrownBy(() -> s.awaitRunning(Duration.ZERO))
        .isInstanceOf(TimeoutException.class)
        .hasMessage("Service 'test' did not become RUNNING within PT0S; it is STARTING");

    AtomicReference<@Nullable String> outcome = new AtomicReference<>();
    Thread waiter = awaitRunningOnAnotherThread(s, false, outcome);
    onAnotherThread(s::started);
    assertTimeoutPreemptively(WAIT, () -> waiter.join());
    assertThat(outcome.get()).isEqualTo("running, interrupted=false");
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING");
  }

  @Test
  void aStartThatThrowsEndsFailedAndBothAwaitsSaySo() {
    TestService s = new TestService();
    IllegalStateException boom = new IllegalStateException("no database");
    s.throwInStart = boom;
    List<String> transitions = record(s);

    s.startAsync();

    assertThat(s.state()).isEqualTo(State.FAILED);
    assertThat(s.failureCause()).isSameAs(boom);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->FAILED (no database)");
    assertThatThrownBy(() -> s.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Service 'test' is FAILED and will not become RUNNING")
        .hasCause(boom);
    assertThatThrownBy(() -> s.awaitTerminated(WAIT))
        .isInstanceOf(IllegalStateException.class).hasCause(boom);
    assertThat(s.stops).hasValue(0);
  }

  @Test
  void aStartReportedFailedFromAnotherThreadEndsFailed() throws Exception {
    TestService s = new TestService();
    s.startsAtOnce = false;
    RuntimeException boom = new RuntimeException("config missing");
    s.startAsync();
    onAnotherThread(() -> s.failed(boom));
    assertThatThrownBy(() -> s.awaitRunning(WAIT)).hasCause(boom);
    s.stopAsync();
    assertThat(s.state()).isEqualTo(State.FAILED);
    assertThat(s.stops).hasValue(0);
  }

  @Test
  void aStopThatThrowsEndsFailed() throws Exception {
    TestService s = new TestService();
    RuntimeException boom = new RuntimeException("flush failed");
    s.throwInStop = boom;
    List<String> transitions = record(s);
    s.startAsync().awaitRunning(WAIT);

    s.stopAsync();

    assertThatThrownBy(() -> s.awaitTerminated(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is FAILED and will not become TERMINATED")
        .hasCause(boom);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING",
        "RUNNING->STOPPING", "STOPPING->FAILED (flush failed)");
  }

  @Test
  void stopIsIdempotentAndStartAfterTheEndDoesNothing() throws Exception {
    TestService s = new TestService();
    s.stopsAtOnce = false;
    List<String> transitions = record(s);
    s.startAsync().awaitRunning(WAIT);

    s.stopAsync();
    s.stopAsync();
    assertThat(s.state()).isEqualTo(State.STOPPING);
    assertThatThrownBy(() -> s.awaitTerminated(Duration.ZERO))
        .isInstanceOf(TimeoutException.class);
    onAnotherThread(s::stopped);
    s.awaitTerminated(WAIT);
    s.stopAsync().startAsync();

    assertThat(s.starts).hasValue(1);
    assertThat(s.stops).hasValue(1);
    assertThat(s.state()).isEqualTo(State.TERMINATED);
    assertThat(transitions).isEqualTo(A_WHOLE_LIFE);
  }

  @Test
  void stoppingANewServiceTerminatesItWithoutStartingOrStopping() throws Exception {
    TestService s = new TestService();
    List<String> transitions = record(s);

    s.stopAsync().awaitTerminated(WAIT);

    assertThat(transitions).containsExactly("NEW->TERMINATED");
    assertThat(s.starts).hasValue(0);
    assertThat(s.stops).hasValue(0);
    assertThatThrownBy(() -> s.awaitRunning(WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Service 'test' is TERMINATED and will not become RUNNING");
  }

  @Test
  void aStopAskedForWhileStartingFollowsTheStart() throws Exception {
    TestService s = new TestService();
    s.startsAtOnce = false;
    List<String> transitions = record(s);
    s.startAsync();

    s.stopAsync();
    assertThat(s.state()).isEqualTo(State.STARTING);
    assertThat(s.stops).hasValue(0);
    onAnotherThread(s::started);

    s.awaitTerminated(WAIT);
    assertThat(s.stops).hasValue(1);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->STOPPING",
        "STOPPING->TERMINATED");
  }

  @Test
  void failingARunningServiceStopsItAndEndsItFailedWithTheCause() throws Exception {
    TestService s = new TestService();
    s.stopsAtOnce = false;
    List<String> transitions = record(s);
    s.startAsync().awaitRunning(WAIT);
    IllegalStateException crash = new IllegalStateException("work crashed");

    assertThat(s.failAsync(crash)).isTrue();
    assertThat(s.stopCause.get()).isSameAs(crash);
    assertThat(s.failAsync(new RuntimeException("again"))).isFalse();
    s.stopAsync();
    RuntimeException alsoInStop = new RuntimeException("close failed too");
    onAnotherThread(() -> s.failed(alsoInStop));

    assertThatThrownBy(() -> s.awaitTerminated(WAIT)).hasCause(crash);
    assertThat(crash.getSuppressed()).containsExactly(alsoInStop);
    assertThat(s.stops).hasValue(1);
    assertThat(transitions).containsExactly("NEW->STARTING", "STARTING->RUNNING",
        "RUNNING->STOPPING", "STOPPING->FAILED (work crashed)");
  }

  @Test
  void aCleanStopAfterAFailureStillEndsFailed() throws Exception {
    TestService s = new TestService();
    s.startAsync().awaitRunning(WAIT);
    RuntimeException crash = new RuntimeException("work crashed");
    s.failAsync(crash);
    assertThat(s.state()).isEqualTo(State.FAILED);
    assertThat(s.failureCause()).isSameAs(crash);
    assertThat(s.failAsync(crash)).isFalse();
  }

  @Test
  void reportingAnOutcomeInTheWrongStateIsRefused() throws Exception {
    TestService s = new TestService();
    assertThatThrownBy(s::started).isInstanceOf(IllegalStateException.class)
        .hasMessage("notifyStarted() on Service 'test' when NEW, not STARTING");
    assertThatThrownBy(() -> s.failed(new RuntimeException()))
        .isInstanceOf(IllegalStateException.class);
    s.startAsync().awaitRunning(WAIT);
    assertThatThrownBy(s::stopped).isInstanceOf(IllegalStateException.class)
        .hasMessage("notifyStopped() on Service 'test' when RUNNING, not STOPPING");
  }

  @Test
  void transitionsMadeOnManyThreadsReachEachListenerInOrderAndAThrowingOneIsSkipped()
      throws Exception {
    TestService s = new TestService();
    s.startsAtOnce = false;
    s.stopsAtOnce = false;
    s.addListener((from, to, failure) -> {
      throw new IllegalStateException("listener bug");
    });
    List<String> first = record(s);
    List<String> second = record(s);

    onAnotherThread(s::startAsync);
    onAnotherThread(s::started);
    onAnotherThread(s::stopAsync);
    onAnotherThread(s::stopped);
    s.awaitTerminated(WAIT);

    assertThat(first).isEqualTo(A_WHOLE_LIFE);
    assertThat(second).isEqualTo(A_WHOLE_LIFE);
  }

  @Test
  void aListenerMayActOnTheServiceAndItsEventsStillArriveInOrder() throws Exception {
    TestService s = new TestService();
    s.addListener((from, to, failure) -> {
      if (to == State.RUNNING) {
        s.stopAsync(); // from inside a listener: delivered after the current one, in order
      }
    });
    List<String> transitions = record(s);
    s.startAsync();
    assertTimeoutPreemptively(WAIT, () -> s.awaitTerminated(WAIT));
    assertThat(transitions).isEqualTo(A_WHOLE_LIFE);
  }

  @Test
  void anInterruptedAwaitKeepsWaitingAndKeepsTheInterrupt() throws Exception {
    TestService s = new TestService();
    s.startsAtOnce = false;
    s.startAsync();
    AtomicReference<@Nullable String> outcome = new AtomicReference<>();
    Thread waiter = awaitRunningOnAnotherThread(s, true, outcome);
    s.started();
    assertTimeoutPreemptively(WAIT, () -> waiter.join());
    assertThat(outcome.get()).isEqualTo("running, interrupted=true");
  }
}
