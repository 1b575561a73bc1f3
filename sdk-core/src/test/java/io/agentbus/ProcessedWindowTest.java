package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProcessedWindowTest {
  private static final Instant T0 = Instant.parse("2025-12-05T14:30:00Z");

  @Test
  void anItemIsClaimedOnceAndRecognisedOnceHandled() {
    ProcessedWindow w = new ProcessedWindow(Duration.ofMinutes(1), 100);
    assertThat(w.claim("a", T0)).isEqualTo(ProcessedWindow.Claim.CLAIMED);
    assertThat(w.claim("a", T0)).isEqualTo(ProcessedWindow.Claim.BUSY);
    w.done("a", T0);
    assertThat(w.claim("a", T0.plusSeconds(59))).isEqualTo(ProcessedWindow.Claim.DONE);
  }

  @Test
  void aReleasedItemCanBeClaimedAgainAndKeepsItsLastError() {
    ProcessedWindow w = new ProcessedWindow(Duration.ofMinutes(1), 100);
    w.claim("a", T0);
    w.release("a", "IllegalStateException: boom");
    assertThat(w.lastError("a")).isEqualTo("IllegalStateException: boom");
    assertThat(w.claim("a", T0)).isEqualTo(ProcessedWindow.Claim.CLAIMED);
    w.done("a", T0);
    assertThat(w.lastError("a")).isNull();
  }

  @Test
  void handledIdsAreForgottenAfterTheWindowOrBeyondTheCapacity() {
    ProcessedWindow w = new ProcessedWindow(Duration.ofMinutes(1), 3);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      w.claim(id, T0);
      w.done(id, T0);
    }
    assertThat(w.size()).isEqualTo(3);
    assertThat(w.claim("a", T0)).isEqualTo(ProcessedWindow.Claim.CLAIMED);
    assertThat(w.claim("d", T0.plusSeconds(59))).isEqualTo(ProcessedWindow.Claim.DONE);
    assertThat(w.claim("d", T0.plusSeconds(60))).isEqualTo(ProcessedWindow.Claim.CLAIMED);
  }
}
