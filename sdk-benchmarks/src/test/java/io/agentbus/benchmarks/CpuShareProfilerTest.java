package io.agentbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpuShareProfilerTest {

  @Test
  void countsThePageFaultsOfTouchingFreshMemory() {
    long before = CpuShareProfiler.minorPageFaults();
    if (!Files.isReadable(Path.of("/proc/self/stat"))) {
      assertThat(before).as("no /proc here: the figure is absent, not made up").isEqualTo(-1);
      return;
    }
    // 64 MiB outside the heap's touched pages: writing one byte per 4 KiB page faults each in
    ByteBuffer fresh = ByteBuffer.allocateDirect(64 << 20);
    for (int i = 0; i < fresh.capacity(); i += 4096) {
      fresh.put(i, (byte) 1);
    }
    long after = CpuShareProfiler.minorPageFaults();
    assertThat(before).isGreaterThan(0);
    // 16,384 faults with 4 KiB pages; with transparent huge pages as few as 32
    assertThat(after - before).as("faults for 64 MiB of fresh pages").isGreaterThanOrEqualTo(16);
  }
}
