package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class VirtualTimeExtensionTest {
  private VirtualScheduler fromBeforeEach;

  @BeforeEach
  void setUp(VirtualScheduler time) {
    fromBeforeEach = time;
  }

  @Test
  void beforeEachAndTestShareOneSchedulerPerTest(VirtualScheduler time, VirtualScheduler again) {
    assertThat(time).isSameAs(fromBeforeEach).isSameAs(again);
  }

  @Test
  void timeStandsStillUntilAdvanced(VirtualScheduler time) {
    List<String> ran = new ArrayList<>();
    var start = time.now();
    time.schedule(Duration.ofSeconds(90), () -> ran.add("at " + Duration.between(start, time.now())));

    time.advance(Duration.ofSeconds(89));
    assertThat(ran).isEmpty();
    assertThat(time.now()).isEqualTo(start.plusSeconds(89));

    time.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("at PT1M30S");
  }

  @Test
  void eachTestStartsAtTheSameFreshInstant(VirtualScheduler time) {
    assertThat(time.now()).isEqualTo(VirtualScheduler.create().now());
    assertThat(time.pendingTasks()).isZero();
  }
}
