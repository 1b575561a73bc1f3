package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a JetStream worker sizes its pulls: one at a time until its handler proves fast. */
class JetStreamWorkerBatchTest {

  @Test
  void fullBatchesOfFastItemsDoubleThePullUpToTheMost() {
    int size = 1;
    StringBuilder sizes = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      size = JetStreamWorker.nextBatchSize(size, size, true);
      sizes.append(size).append(' ');
    }
    assertThat(sizes.toString().trim()).isEqualTo("2 4 8 8 8");
  }

  @Test
  void aSlowItemBringsThePullBackToOneAndAShortBatchKeepsItsSize() {
    assertThat(JetStreamWorker.nextBatchSize(8, 8, false)).isEqualTo(1);
    assertThat(JetStreamWorker.nextBatchSize(8, 3, true)).isEqualTo(8);
    assertThat(JetStreamWorker.nextBatchSize(4, 0, true)).isEqualTo(4);
  }
}
