package io.agentbus.spi.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScratchBufferTest {

  @Test
  void aBufferGivenBackIsTheNextOneTakenOnThatThreadOnly() throws Exception {
    byte[] first = ScratchBuffer.take();
    assertThat(first).hasSizeGreaterThanOrEqualTo(ScratchBuffer.INITIAL_SIZE);
    byte[] nested = ScratchBuffer.take(); // the first is out: a nested encode gets its own
    assertThat(nested).isNotSameAs(first);
    ScratchBuffer.giveBack(nested);
    ScratchBuffer.giveBack(first);
    assertThat(ScratchBuffer.take()).isSameAs(first);
    ScratchBuffer.giveBack(first);

    byte[] elsewhere = CompletableFuture.supplyAsync(ScratchBuffer::take).get(10, TimeUnit.SECONDS);
    assertThat(elsewhere).isNotSameAs(first);
    assertThat(ScratchBuffer.take()).isSameAs(first);
  }

  @Test
  void aBufferGrownPastTheLimitIsNotKept() {
    byte[] grown = new byte[ScratchBuffer.KEEP_LIMIT + 1];
    ScratchBuffer.giveBack(grown);
    byte[] next = ScratchBuffer.take();
    assertThat(next).isNotSameAs(grown).hasSizeLessThanOrEqualTo(ScratchBuffer.KEEP_LIMIT);
    byte[] largest = new byte[ScratchBuffer.KEEP_LIMIT];
    ScratchBuffer.giveBack(largest);
    assertThat(ScratchBuffer.take()).isSameAs(largest);
  }
}
