package io.agentbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiveCounterTest {

  @Test
  void returnsOnceEveryAnnouncedMessageArrivedFromAnotherThread() throws Exception {
    ReceiveCounter counter = new ReceiveCounter();
    counter.expect(1000);
    Thread subscriber = new Thread(() -> {
      for (int i = 0; i < 1000; i++) {
        counter.onMessage();
      }
    });
    subscriber.start();
    counter.awaitExpected(Duration.ofSeconds(30));
    subscriber.join();
    assertThat(counter.received()).isEqualTo(1000);
    counter.verifyComplete("test");
  }

  @Test
  void threeSubscriberThreadsCountBatchAfterBatchWithoutALostWakeUp() throws Exception {
    ReceiveCounter counter = new ReceiveCounter();
    int batches = 200;
    for (int b = 0; b < batches; b++) {
      counter.expect(300);
      List<Thread> subscribers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread s = new Thread(() -> {
          for (int i = 0; i < 100; i++) {
            counter.onMessage();
          }
        });
        subscribers.add(s);
        s.start();
      }
      counter.awaitExpected(Duration.ofSeconds(30));
      for (Thread s : subscribers) {
        s.join();
      }
      assertThat(counter.received()).isEqualTo(300L * (b + 1));
    }
    counter.verifyComplete("threads");
  }

  @Test
  void aLostMessageFailsTheWaitNamingBothCounts() {
    ReceiveCounter counter = new ReceiveCounter();
    counter.expect(3);
    counter.onMessage();
    counter.onMessage();
    assertThatThrownBy(() -> counter.awaitExpected(Duration.ofMillis(20)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("published 3, received 2");
  }

  @Test
  void aDuplicateFailsTheWaitAndTheFinalCheck() {
    ReceiveCounter counter = new ReceiveCounter();
    counter.expect(1);
    counter.onMessage();
    counter.onMessage();
    assertThatThrownBy(() -> counter.awaitExpected(Duration.ofSeconds(1)))
        .hasMessageContaining("Duplicate messages: published 1, received 2");
    assertThatThrownBy(() -> counter.verifyComplete("bus"))
        .hasMessage("bus: published 1 messages but 2 were received");
  }

  @Test
  void batchesAccumulate() {
    ReceiveCounter counter = new ReceiveCounter();
    for (int batch = 0; batch < 3; batch++) {
      counter.expect(2);
      counter.onMessage();
      counter.onMessage();
      counter.awaitExpected(Duration.ofSeconds(1));
    }
    assertThat(counter.expected()).isEqualTo(6);
    counter.verifyComplete("three batches");
  }
}
