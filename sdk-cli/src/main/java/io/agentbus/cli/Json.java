package io.agentbus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.agentbus.AgentMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** JSON for {@code --json} output and for message content given on the command line. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /** One line of JSON. */
  static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Indented, for people. */
  static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Message content given by the user: a JSON object.
   *
   * @param source where the text came from, for the error ("the argument", "file x.json")
   * @throws CliException (invalid input) naming the source, the position and the fix
   */
  static Map<String, @Nullable Object> content(String text, String source) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new CliException(ExitCode.INVALID_INPUT, "Invalid JSON content in " + source + where
          + ": " + e.getOriginalMessage() + ". Give a JSON object, e.g. '{\"question\": \"ready?\"}'.",
          e);
    }
    if (node == null || !node.isObject()) {
      throw new CliException(ExitCode.INVALID_INPUT, "Invalid JSON content in " + source
          + ": a message's content is a JSON object, got " + (node == null ? "nothing"
          : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT))
          + ". Give e.g. '{\"question\": \"ready?\"}'.");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> map = MAPPER.convertValue(node, Map.class);
    return map;
  }

  /** A message in the seed's field names. */
  static Map<String, @Nullable Object> message(AgentMessage m) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("from_agent", m.fromAgent());
    out.put("to_agent", m.toAgent());
    out.put("message_type", m.messageType().wireName());
    out.put("content", m.content());
    out.put("timestamp", m.timestamp().toString());
    out.put("correlation_id", m.correlationId());
    return out;
  }

}
