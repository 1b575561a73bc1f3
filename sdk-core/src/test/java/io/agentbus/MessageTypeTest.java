package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MessageTypeTest {

  @Test
  void knowsTheSeedsElevenTypesByWireName() {
    assertThat(MessageType.values().stream().map(MessageType::wireName)
        .collect(Collectors.toList()))
        .containsExactly("status_update", "task_assignment", "task_complete", "task_failed",
            "question", "answer", "blocker", "resource_request", "resource_response",
            "coordination_request", "heartbeat");
    for (MessageType t : MessageType.values()) {
      assertThat(MessageType.of(t.wireName())).isSameAs(t);
      assertThat(t.isKnown()).isTrue();
    }
  }

  @Test
  void keepsTypesFromNewerPeers() {
    MessageType future = MessageType.of("capability_announcement");
    assertThat(future.isKnown()).isFalse();
    assertThat(future.wireName()).isEqualTo("capability_announcement");
    assertThat(future).isEqualTo(MessageType.of("capability_announcement"))
        .isNotEqualTo(MessageType.ANSWER);
  }

  @Test
  void rejectsTypesThatCannotBeSubjectTokens() {
    assertThatThrownBy(() -> MessageType.of("two words"))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("message type");
    assertThatThrownBy(() -> MessageType.of("")).isInstanceOf(InvalidSubjectException.class);
  }
}
