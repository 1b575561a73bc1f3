package io.agentbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubjectsTest {
  private final Subjects subjects = Subjects.defaults();

  @Test
  void buildsTheSeedHierarchy() {
    assertThat(subjects.broadcast(MessageType.STATUS_UPDATE))
        .isEqualTo("orchestrator.broadcast.status_update");
    assertThat(subjects.direct("arch-001", MessageType.QUESTION))
        .isEqualTo("orchestrator.agent.arch-001.question");
    assertThat(subjects.team("parsers", MessageType.BLOCKER))
        .isEqualTo("orchestrator.team.parsers.blocker");
    assertThat(subjects.queue("test_execution")).isEqualTo("orchestrator.queue.test_execution");
    assertThat(subjects.deadLetter()).isEqualTo("orchestrator.deadletter");
    assertThat(subjects.allDirect("arch-001")).isEqualTo("orchestrator.agent.arch-001.*");
    assertThat(subjects.allTeam("parsers")).isEqualTo("orchestrator.team.parsers.*");
  }

  @Test
  void namespaceIsConfigurable() {
    Subjects acme = Subjects.of("acme.prod");
    assertThat(acme.broadcast(MessageType.HEARTBEAT)).isEqualTo("acme.prod.broadcast.heartbeat");
    assertThat(acme.namespace()).isEqualTo("acme.prod");
  }

  @Test
  void subjectsMadeAgainAreReusedAndNeverConfused() {
    Subjects acme = Subjects.of("acme");
    for (MessageType type : MessageType.values()) {
      assertThat(acme.broadcast(type)).isEqualTo("acme.broadcast." + type.wireName())
          .isSameAs(acme.broadcast(type));
    }
    MessageType future = MessageType.of("future_type");
    assertThat(acme.broadcast(future)).isEqualTo("acme.broadcast.future_type");
    String[] ids = {"a-1", "a-2", "a-1", new String("a-1"), "a-2", "a-2"};
    for (String id : ids) {
      for (MessageType type : new MessageType[] {MessageType.QUESTION, MessageType.ANSWER,
          MessageType.QUESTION, future, MessageType.of("future_type")}) {
        assertThat(acme.direct(id, type)).isEqualTo("acme.agent." + id + "." + type.wireName());
      }
      assertThat(acme.queue(id)).isEqualTo("acme.queue." + id);
      assertThat(acme.queue(id)).isSameAs(acme.queue(id));
    }
    assertThat(subjects.queue("a-1")).isEqualTo("orchestrator.queue.a-1"); // not acme's
    assertThatThrownBy(() -> acme.direct("a 1", MessageType.QUESTION))
        .isInstanceOf(InvalidSubjectException.class);
    assertThatThrownBy(() -> acme.queue("a.1")).isInstanceOf(InvalidSubjectException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "dot.ted", "star*", "*", ">", "gt>", "tab\t", "nl\n"})
  void rejectsInvalidAgentIdsNamingTheValue(String bad) {
    assertThatThrownBy(() -> subjects.direct(bad, MessageType.QUESTION))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("agent id");
    if (!bad.isEmpty()) {
      assertThatThrownBy(() -> Subjects.requireToken("team id", bad))
          .hasMessageContaining("'" + bad + "'");
    }
  }

  /** Valid tokens are remembered by hash code; a remembered one vouches only for itself. */
  @Test
  void aRememberedTokenDoesNotLetAnInvalidOneWithTheSameHashThrough() {
    String valid = "`M";
    String invalid = "a.";
    assertThat(invalid.hashCode()).isEqualTo(valid.hashCode());
    for (int i = 0; i < 3; i++) {
      assertThat(Subjects.requireToken("agent id", valid)).isSameAs(valid);
      assertThatThrownBy(() -> Subjects.requireToken("agent id", invalid))
          .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("'a.'");
      String equalCopy = new String(valid.toCharArray());
      assertThat(Subjects.requireToken("agent id", equalCopy)).isSameAs(equalCopy);
    }
  }

  /** The same for subjects to publish to. */
  @Test
  void aRememberedSubjectDoesNotLetAnInvalidOneWithTheSameHashThrough() {
    String valid = "orchestrator.agent.`M";
    String invalid = "orchestrator.agent.a.";
    assertThat(invalid.hashCode()).isEqualTo(valid.hashCode());
    for (int i = 0; i < 3; i++) {
      assertThat(Subjects.requireSubject("subject", valid)).isSameAs(valid);
      assertThatThrownBy(() -> Subjects.requireSubject("subject", invalid))
          .isInstanceOf(InvalidSubjectException.class).hasMessageContaining("empty token");
      String equalCopy = new String(valid.toCharArray());
      assertThat(Subjects.requireSubject("subject", equalCopy)).isSameAs(equalCopy);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".a", "a.", "a..b", "a.*", "a.>", "a b", "a.b*", "a.>.b", "\u0000"})
  void rejectsInvalidPublishSubjects(String bad) {
    assertThatThrownBy(() -> Subjects.requireSubject("subject", bad))
        .isInstanceOf(InvalidSubjectException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.>.b", "a.b>", "a.*b", "a..*", ">.a", "a b.*"})
  void rejectsInvalidPatterns(String bad) {
    assertThatThrownBy(() -> Subjects.requirePattern("pattern", bad))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining(bad);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "a.b", "*", ">", "a.*", "a.>", "*.*.c", "_INBOX.abc.>"})
  void acceptsValidPatterns(String ok) {
    assertThat(Subjects.requirePattern("pattern", ok)).isEqualTo(ok);
  }

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource({
      "a, a, true",
      "a, b, false",
      "a.b, a.b, true",
      "a.b, a.bc, false",
      "a.bc, a.b, false",
      "a.b, a, false",
      "a, a.b, false",
      "*, a, true",
      "*, a.b, false",
      "a.*, a.b, true",
      "a.*, a, false",
      "a.*, a.b.c, false",
      "*.b, a.b, true",
      "*.*, a.b, true",
      ">, a, true",
      ">, a.b.c, true",
      "a.>, a, false",
      "a.>, a.b, true",
      "a.>, a.b.c, true",
      "a.*.>, a.b, false",
      "a.*.>, a.b.c, true",
      "orchestrator.agent.x.*, orchestrator.agent.x.question, true",
      "orchestrator.agent.x.*, orchestrator.agent.xy.question, false",
      "orchestrator.broadcast.*, orchestrator.broadcast.status_update, true",
  })
  void matchesLikeNats(String pattern, String subject, boolean expected) {
    assertThat(Subjects.matches(pattern, subject)).isEqualTo(expected);
  }

  @Test
  void detectsWildcards() {
    assertThat(Subjects.isWildcard("a.*")).isTrue();
    assertThat(Subjects.isWildcard("a.>")).isTrue();
    assertThat(Subjects.isWildcard("a.b*")).isFalse();
    assertThat(Subjects.isWildcard("a.b")).isFalse();
  }
}
