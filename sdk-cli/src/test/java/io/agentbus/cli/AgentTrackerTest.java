package io.agentbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.transport.inmemory.InMemoryTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The states the command line gives agents, at chosen instants (no clock involved). */
class AgentTrackerTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  private static AgentMessage message(String from, MessageType type, Map<String, ?> content,
      Instant sent) {
    return AgentMessage.builder().fromAgent(from).messageType(type).content(content)
        .timestamp(sent).build();
  }

  @Test
  void aliveThenLateAfterAMissedHeartbeatThenDeadAfterTheDeadAfterTime() {
    try (MessageBus bus = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).build();
        AgentTracker d = new AgentTracker(bus, Duration.ofSeconds(30),
            Duration.ofSeconds(90))) {
      d.observe(message("a-1", MessageType.HEARTBEAT, Map.of("status", "alive", "teams",
          List.of("parsers", "reviewers"), "version", "2.0"), T0), T0);

      assertThat(d.agents(T0.plusSeconds(45))).singleElement().satisfies(a -> {
        assertThat(a.state()).isEqualTo(AgentView.State.ALIVE);
        assertThat(a.teams()).containsExactly("parsers", "reviewers");
        assertThat(a.version()).isEqualTo("2.0");
      });
      assertThat(d.agents(T0.plusSeconds(46)).get(0).state()).isEqualTo(AgentView.State.LATE);
      assertThat(d.agents(T0.plusSeconds(89)).get(0).state()).isEqualTo(AgentView.State.LATE);
      assertThat(d.agents(T0.plusSeconds(90)).get(0).state()).isEqualTo(AgentView.State.DEAD);
      assertThat(d.agents(T0.plusSeconds(90)).get(0).heartbeatAge())
          .isEqualTo(Duration.ofSeconds(90));
    }
  }

  @Test
  void offlineWhenItSaysSoAndAHeartbeatSentBeforeThatDoesNotReviveIt() {
    try (MessageBus bus = MessageBus.builder().transport(InMemoryTransport.create())
        .codec(JsonCodec.create()).build();
        AgentTracker d = new AgentTracker(bus, Duration.ofSeconds(1),
            Duration.ofSeconds(3))) {
      d.observe(message("a-1", MessageType.HEARTBEAT, Map.of("status", "alive"), T0), T0);
      d.observe(message("a-1", MessageType.STATUS_UPDATE, Map.of("status", "offline"),
          T0.plusMillis(500)), T0.plusMillis(500));
      // sent before the goodbye, delivered after it
      d.observe(message("a-1", MessageType.HEARTBEAT, Map.of("status", "alive"),
          T0.plusMillis(400)), T0.plusMillis(600));
      assertThat(d.agents(T0.plusSeconds(1)).get(0).state()).isEqualTo(AgentView.State.OFFLINE);

      // a restart's heartbeat does
      d.observe(message("a-1", MessageType.HEARTBEAT, Map.of("status", "alive"),
          T0.plusSeconds(5)), T0.plusSeconds(5));
      assertThat(d.agents(T0.plusSeconds(5)).get(0).state()).isEqualTo(AgentView.State.ALIVE);
    }
  }
}
