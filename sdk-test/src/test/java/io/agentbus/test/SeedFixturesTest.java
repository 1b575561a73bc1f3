package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.MessageType;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SeedFixturesTest {

  @Test
  void everyFixtureFileIsListedAndEveryListedFixtureHasAFile() throws IOException, URISyntaxException {
    URL dir = Objects.requireNonNull(
        SeedFixtures.class.getClassLoader().getResource(SeedFixtures.RESOURCE_DIR));
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .collect(Collectors.toList());
    }

    assertThat(SeedFixtures.fileNames()).containsExactlyElementsOf(files);
    assertThat(files).hasSize(7);
  }

  @Test
  void bytesAreTheFileAsThePythonAgentWroteIt() {
    byte[] bytes = SeedFixtures.named("heartbeat-python-isoformat").bytes();

    assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith(
        "{\"from_agent\": \"my-agent-001\", \"to_agent\": null, \"message_type\": \"heartbeat\"")
        .contains("\"timestamp\": \"2025-12-05T14:30:30.123456+00:00\"");
  }

  @Test
  void eachCallReturnsAFreshArray() {
    SeedFixtures.Fixture f = SeedFixtures.named("question-direct");
    byte[] first = f.bytes();
    first[0] = 'X';

    assertThat(f.bytes()[0]).isEqualTo((byte) '{');
    assertThat(SeedFixtures.allBytes()).containsOnlyKeys(
        SeedFixtures.all().stream().map(SeedFixtures.Fixture::name).collect(Collectors.toList()));
  }

  @Test
  void subjectsFollowTheSeedHierarchy() {
    assertThat(SeedFixtures.named("status-update-broadcast").subject())
        .isEqualTo("orchestrator.broadcast.status_update");
    assertThat(SeedFixtures.named("heartbeat-python-isoformat").subject())
        .isEqualTo("orchestrator.broadcast.heartbeat");
    assertThat(SeedFixtures.named("question-direct").subject())
        .isEqualTo("orchestrator.agent.parser-dev-001.question");
    assertThat(SeedFixtures.named("resource-request").subject())
        .isEqualTo("orchestrator.agent.architect-001.resource_request");
    assertThat(SeedFixtures.named("task-assignment-queue").subject())
        .isEqualTo("orchestrator.queue.test_execution");
    assertThat(SeedFixtures.named("task-assignment-queue").route())
        .isEqualTo(SeedFixtures.Route.QUEUE);
  }

  @Test
  void routesAgreeWithTheExpectedMessages() {
    for (SeedFixtures.Fixture f : SeedFixtures.all()) {
      boolean direct = f.expected().toAgent() != null;
      assertThat(f.route() == SeedFixtures.Route.DIRECT).as(f.name()).isEqualTo(direct);
    }
  }

  @Test
  void expectedTimestampsAreTheExactInstantsOfTheText() {
    assertThat(SeedFixtures.named("heartbeat-python-isoformat").expected().timestamp())
        .isEqualTo(Instant.parse("2025-12-05T14:30:30.123456Z"));
    assertThat(SeedFixtures.named("task-assignment-queue").expected().messageType())
        .isEqualTo(MessageType.TASK_ASSIGNMENT);
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> SeedFixtures.named("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("question-direct");
  }
}
