package io.agentbus.codec.protobuf;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages whose version-1 encodings are committed under {@code
 * src/test/resources/io/agentbus/codec/protobuf/frozen/}, and the generator that wrote them once.
 *
 * <p><b>Never change these messages or regenerate the files.</b> They are what a peer of the first
 * schema version put on the wire; {@link FrozenEncodingTest} proves that every later version still
 * reads them. A new schema version adds new fixture files beside these.
 */
final class FrozenEncoding {
  static final String DIRECTORY = "io/agentbus/codec/protobuf/frozen/";
  static final String FULL = "v1-question-every-kind.bin";
  static final String MINIMAL = "v1-heartbeat-minimal.bin";
  static final String UNKNOWN_TYPE = "v1-unknown-type.bin";

  private FrozenEncoding() {}

  /** Every envelope field, every kind of value and every form of list. */
  static AgentMessage full() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("file", "src/models/task.py");
    context.put("line", 42L);
    context.put("weights", List.of(0.5, 2.0, -1.25e-3)); // the doubles form
    context.put("lines", List.of(1L, -2L, 300L)); // the ints form
    context.put("files", List.of("a.py", "b.py")); // the strings form
    context.put("empty_map", Map.of());
    context.put("empty_list", List.of());

    Map<String, Object> content = new LinkedHashMap<>();
    content.put("question", "What format should Task.constraints use?");
    content.put("unicode", "héllo ✓ 𝄞");
    content.put("attempt", 1L);
    content.put("negative", -7L);
    content.put("long_max", Long.MAX_VALUE);
    content.put("long_min", Long.MIN_VALUE);
    content.put("timeout_s", 30.5);
    content.put("integral_double", 2.0);
    content.put("retry", false);
    content.put("urgent", true);
    content.put("owner", null);
    content.put("context", context);
    content.put("tags", Arrays.asList("parser", null, 3L, List.of(List.of("deep")), Map.of("k", "v")));
    content.put("", "");
    return AgentMessage.builder()
        .fromAgent("architect-001")
        .toAgent("parser-dev-001")
        .messageType(MessageType.QUESTION)
        .content(content)
        .timestamp(Instant.parse("2025-12-05T14:30:00.123Z"))
        .correlationId("arch-001-1733409000.123")
        .build();
  }

  /** Only what is required, at the epoch (a timestamp of 0 must still be present). */
  static AgentMessage minimal() {
    return AgentMessage.builder()
        .fromAgent("my-agent-001")
        .messageType(MessageType.HEARTBEAT)
        .timestamp(Instant.EPOCH)
        .build();
  }

  /** A type unknown to this version, and an empty correlation id. */
  static AgentMessage unknownType() {
    return AgentMessage.builder()
        .fromAgent("planner-007")
        .toAgent("architect-001")
        .messageType(MessageType.of("capability_offer"))
        .content(Map.of("capabilities", List.of("parse", "plan")))
        .timestamp(Instant.parse("1969-07-20T20:17:40.001Z"))
        .correlationId("")
        .build();
  }

  /**
   * Wrote the fixture files, once, with the first version of the codec. Kept to show how they
   * were made; running it again would overwrite history and must not be done.
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve(DIRECTORY);
    Files.createDirectories(dir);
    ProtobufCodec codec = ProtobufCodec.create();
    for (Map.Entry<String, AgentMessage> e : Map.of(FULL, full(), MINIMAL, minimal(),
        UNKNOWN_TYPE, unknownType()).entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (Files.exists(file)) {
        throw new IllegalStateException(file + " exists: frozen fixtures are never regenerated");
      }
      Files.write(file, codec.encode(e.getValue()));
    }
  }
}
