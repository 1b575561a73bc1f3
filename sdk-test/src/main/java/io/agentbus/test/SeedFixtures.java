package io.agentbus.test;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The seed orchestrator's example messages, exactly as its Python agents put them on the wire
 * (JSON, UTF-8), shipped in this jar under {@value #RESOURCE_DIR} so that any test can use them
 * without files from outside the repository.
 *
 * <p>Each {@link Fixture} carries the raw bytes, the subject the seed would publish it on, and the
 * {@link AgentMessage} it must decode to, written out by hand here so that codec tests need no
 * JSON library to know what a fixture means. Timestamps in the expected values are the exact
 * instants the text names: {@code 14:30:30.123456+00:00} is expected as {@code 14:30:30.123456Z}.
 *
 * <p>Subjects follow the seed's hierarchy in the default namespace: broadcasts (no {@code
 * to_agent}) on {@code orchestrator.broadcast.<message_type>}, direct messages on {@code
 * orchestrator.agent.<to_agent>.<message_type>}, and the one work item ({@code
 * task-assignment-queue}) on {@code orchestrator.queue.}{@value #QUEUE_NAME}: the fixture does not
 * name its queue, so the kit picks {@value #QUEUE_NAME}, after the seed's test-execution example.
 *
 * <p>Thread-safe; every call returns fresh arrays.
 */
public final class SeedFixtures {
  /** The classpath folder holding the fixture files and their README. */
  public static final String RESOURCE_DIR = "io/agentbus/test/seed-messages/";

  /** The queue the {@code task-assignment-queue} fixture is published to. */
  public static final String QUEUE_NAME = "test_execution";

  /** How a fixture travels: which part of the subject hierarchy it is published on. */
  public enum Route {
    /** {@code <ns>.broadcast.<message_type>} */
    BROADCAST,
    /** {@code <ns>.agent.<to_agent>.<message_type>} */
    DIRECT,
    /** {@code <ns>.queue.<queue_name>} */
    QUEUE
  }

  /**
   * One example message.
   *
   * @param name the file name without {@code .json}, e.g. {@code question-direct}
   * @param route how the seed publishes it
   * @param subject the subject the seed publishes it on, in the default namespace
   * @param expected what a codec must decode the bytes to
   */
  public record Fixture(String name, Route route, String subject, AgentMessage expected) {
    public Fixture {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(expected, "expected");
    }

    /** The fixture's file name, e.g. {@code question-direct.json}. */
    public String fileName() {
      return name + ".json";
    }

    /** The classpath resource path of the file. */
    public String resourcePath() {
      return RESOURCE_DIR + fileName();
    }

    /**
     * The file's bytes, exactly as the Python agent wrote them; a fresh array on each call.
     *
     * @throws UncheckedIOException if the resource cannot be read (a broken test-kit jar)
     */
    public byte[] bytes() {
      return readResource(resourcePath());
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final Subjects SUBJECTS = Subjects.defaults();
  private static final List<Fixture> ALL = List.of(
      fixture("heartbeat-python-isoformat", Route.BROADCAST, AgentMessage.builder()
          .fromAgent("my-agent-001")
          .messageType(MessageType.HEARTBEAT)
          .content(map("status", "alive"))
          .timestamp(Instant.parse("2025-12-05T14:30:30.123456Z"))
          .build()),
      fixture("question-direct", Route.DIRECT, AgentMessage.builder()
          .fromAgent("architect-001")
          .toAgent("parser-dev-001")
          .messageType(MessageType.QUESTION)
          .content(map(
              "question", "What format should Task.constraints use?",
              "context", map("file", "src/models/task.py", "line", 42L)))
          .timestamp(Instant.parse("2025-12-05T14:30:00.000Z"))
          .correlationId("arch-001-1733409000.123")
          .build()),
      fixture("resource-request", Route.DIRECT, AgentMessage.builder()
          .fromAgent("parser-dev-001")
          .toAgent("architect-001")
          .messageType(MessageType.RESOURCE_REQUEST)
          .content(map("resource", "task_model", "reason", "Need to implement TaskParser"))
          .timestamp(Instant.parse("2025-12-05T14:32:10.004Z"))
          .correlationId("parser-dev-001-1733409130004-1")
          .build()),
      fixture("resource-response", Route.DIRECT, AgentMessage.builder()
          .fromAgent("architect-001")
          .toAgent("parser-dev-001")
          .messageType(MessageType.RESOURCE_RESPONSE)
          .content(map(
              "resource", "task_model",
              "status", "ready",
              "location", "src/models/task.py",
              "api", map(
                  "class", "Task",
                  "fields", List.of("goal", "constraints", "context", "task_type"),
                  "methods", List.of("to_dict", "from_dict"))))
          .timestamp(Instant.parse("2025-12-05T14:32:10.019Z"))
          .correlationId("parser-dev-001-1733409130004-1")
          .build()),
      fixture("status-update-broadcast", Route.BROADCAST, AgentMessage.builder()
          .fromAgent("architect-001")
          .messageType(MessageType.STATUS_UPDATE)
          .content(map("status", "completed", "component", "task_model"))
          .timestamp(Instant.parse("2025-12-05T14:31:02.250Z"))
          .build()),
      fixture("task-assignment-queue", Route.QUEUE, AgentMessage.builder()
          .fromAgent("test-coordinator")
          .messageType(MessageType.TASK_ASSIGNMENT)
          .content(map(
              "test", "tests/test_task_parser.py::test_parses_constraints",
              "attempt", 1L,
              "timeout_s", 30.5,
              "tags", List.of("parser", "unit"),
              "env", map("PYTHONHASHSEED", "0"),
              "retry", false,
              "owner", null))
          .timestamp(Instant.parse("2025-12-05T14:40:00Z"))
          .correlationId("test-coordinator-1733409600000-17")
          .build()),
      fixture("task-complete-broadcast", Route.BROADCAST, AgentMessage.builder()
          .fromAgent("parser-dev-001")
          .messageType(MessageType.TASK_COMPLETE)
          .content(map(
              "task", "TaskParser implementation",
              "output", "src/core/task_parser.py",
              "tests", "tests/test_task_parser.py",
              "coverage", "92%"))
          .timestamp(Instant.parse("2025-12-05T15:02:44.871Z"))
          .build()));

  private SeedFixtures() {}

  /** Every fixture, in file-name order. */
  public static List<Fixture> all() {
    return ALL;
  }

  /**
   * The fixture with this name (file name without {@code .json}).
   *
   * @throws IllegalArgumentException naming the known fixtures if there is none by that name
   */
  public static Fixture named(String name) {
    for (Fixture f : ALL) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    List<String> names = new ArrayList<>();
    ALL.forEach(f -> names.add(f.name()));
    throw new IllegalArgumentException("No seed fixture named '" + name + "'; known: " + names);
  }

  /** The raw bytes of every fixture, by name, in file-name order. */
  public static Map<String, byte[]> allBytes() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Fixture f : ALL) {
      out.put(f.name(), f.bytes());
    }
    return out;
  }

  private static Fixture fixture(String name, Route route, AgentMessage expected) {
    String subject;
    switch (route) {
      case BROADCAST:
        subject = SUBJECTS.broadcast(expected.messageType());
        break;
      case DIRECT:
        subject = SUBJECTS.direct(
            Objects.requireNonNull(expected.toAgent()), expected.messageType());
        break;
      default:
        subject = SUBJECTS.queue(QUEUE_NAME);
        break;
    }
    return new Fixture(name, route, subject, expected);
  }

  /** An insertion-ordered map from alternating keys and values; values may be null. */
  private static Map<String, @Nullable Object> map(@Nullable Object... keysAndValues) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) Objects.requireNonNull(keysAndValues[i]), keysAndValues[i + 1]);
    }
    return m;
  }

  static byte[] readResource(String path) {
    ClassLoader loader = SeedFixtures.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("Seed fixture resource '" + path
            + "' is missing from the classpath: is the sdk-test jar complete?"));
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read seed fixture resource '" + path + "'", e);
    }
  }

  /** For tests of the kit itself. */
  static List<String> fileNames() {
    List<String> names = new ArrayList<>();
    ALL.forEach(f -> names.add(f.fileName()));
    return List.copyOf(names);
  }
}
