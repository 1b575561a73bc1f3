package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.test.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ${agentClassName}Test {
  @Test
  void idIsTheAgentId() {
    VirtualScheduler time = VirtualScheduler.create();
    time.advance(Duration.ofSeconds(90));
    assertThat(${agentClassName}.ID).isEqualTo("${agentId}");
    assertThat(time.now().toString()).isEqualTo("2025-12-05T14:31:30Z");
  }
}
