package io.agentbus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.Agent;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionEvent.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** How connection events move a running agent's health (the NATS cases run in sdk-examples). */
class ConnectionWatchTest {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Throwable> failures = new ArrayList<>();
  private final ConnectionWatch watch = new ConnectionWatch("worker-1", running::get,
      failures::add);

  private Agent.Health health() {
    return watch.health(running.get() ? Agent.State.RUNNING : Agent.State.FAILED);
  }

  @Test
  void aRefusalIsTheReasonUntilTheConnectionIsBack() {
    assertThat(health()).isEqualTo(Agent.Health.SERVING);
    watch.onEvent(ConnectionEvent.of(Kind.DISCONNECTED, "disconnected from nats://a:4222"));
    assertThat(health().serving()).isFalse();
    assertThat(health().reason()).contains("lost").contains("nats://a:4222");

    watch.onEvent(ConnectionEvent.of(Kind.AUTHENTICATION_FAILED,
        "the server refused the credentials at reconnect: Authorization Violation"));
    // jnats reports a disconnect per failed attempt; the refusal stays the reason
    watch.onEvent(ConnectionEvent.of(Kind.DISCONNECTED, "disconnected from nats://a:4222"));
    watch.onEvent(ConnectionEvent.of(Kind.ERROR, "client error"));
    assertThat(health().reason()).contains("Authorization Violation");

    watch.onEvent(ConnectionEvent.of(Kind.RECONNECTED, "reconnected to nats://a:4222"));
    assertThat(health()).isEqualTo(Agent.Health.SERVING);
    assertThat(failures).isEmpty();
  }

  @Test
  void aConnectionClosedForGoodFailsARunningAgentOnce() {
    watch.onEvent(ConnectionEvent.of(Kind.CLOSED, "the server refused the credentials again"));
    assertThat(failures).singleElement().satisfies(e -> assertThat(e)
        .hasMessageContaining("worker-1").hasMessageContaining("closed for good")
        .hasMessageContaining("refused the credentials again"));
    running.set(false);
    watch.onEvent(ConnectionEvent.of(Kind.CLOSED, "again"));
    assertThat(failures).hasSize(1);
    assertThat(health().reason()).isEqualTo("the agent is FAILED");
  }

  @Test
  void aHealthHasAReasonExactlyWhenNotServing() {
    assertThatThrownBy(() -> new Agent.Health(true, "why")).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("why");
    assertThatThrownBy(() -> new Agent.Health(false, null)).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("needs a reason");
  }
}
