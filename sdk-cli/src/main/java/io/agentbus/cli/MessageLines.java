package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.spi.TransportMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One readable line per message, in text or JSON, as {@code tail} and {@code dlq} print them. */
final class MessageLines {
  static final int SUMMARY_LENGTH = 80;

  private MessageLines() {}

  /** {@code 12:00:01.234 direct  parser-dev-001 -> architect-001 question corr=c-1 {q=ready?}} */
  static String text(Instant received, Route route, AgentMessage m) {
    String to = m.toAgent() != null ? m.toAgent()
        : route.kind().equals("team") ? "team:" + route.target()
        : route.kind().equals("queue") ? "queue:" + route.target()
        : "*";
    return received.atZone(ZoneId.systemDefault()).toLocalTime().format(AgentsCommand.CLOCK)
        + " " + pad(route.kind(), 10) + " " + m.fromAgent() + " -> " + to + " "
        + m.messageType().wireName()
        + (m.correlationId() == null ? "" : " corr=" + m.correlationId())
        + " " + summary(m.content());
  }

  static Map<String, @Nullable Object> json(Instant received, String subject, Route route,
      AgentMessage m) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("received", received.toString());
    out.put("subject", subject);
    out.put("kind", route.kind());
    out.putAll(Json.message(m));
    return out;
  }

  /** The content, shortened to one line of at most {@value #SUMMARY_LENGTH} characters. */
  static String summary(Map<String, @Nullable Object> content) {
    String s = Json.line(content).replace('\n', ' ');
    return s.length() <= SUMMARY_LENGTH ? s : s.substring(0, SUMMARY_LENGTH - 3) + "...";
  }

  /** Subject, headers and payload: the payload as text when it is UTF-8, else base64. */
  static String raw(Instant received, TransportMessage raw) {
    StringBuilder b = new StringBuilder();
    b.append(received.atZone(ZoneId.systemDefault()).toLocalTime().format(AgentsCommand.CLOCK))
        .append(' ').append(raw.subject());
    if (raw.replyTo() != null) {
      b.append(" reply-to=").append(raw.replyTo());
    }
    b.append(" (").append(raw.payload().length).append(" bytes)\n");
    raw.headers().asMap().forEach((name, values) -> {
      for (String v : values) {
        b.append("  ").append(name).append(": ").append(v).append('\n');
      }
    });
    String text = utf8(raw.payload());
    b.append("  ").append(text != null ? text
        : "base64:" + Base64.getEncoder().encodeToString(raw.payload()));
    return b.toString();
  }

  static Map<String, @Nullable Object> rawJson(Instant received, TransportMessage raw) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("received", received.toString());
    out.put("subject", raw.subject());
    out.put("reply_to", raw.replyTo());
    Map<String, List<String>> headers = raw.headers().asMap();
    out.put("headers", headers);
    String text = utf8(raw.payload());
    if (text != null) {
      out.put("payload", text);
    }
    out.put("payload_base64", Base64.getEncoder().encodeToString(raw.payload()));
    return out;
  }

  static @Nullable String utf8(byte[] bytes) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
          return null;
        }
      }
      return s;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
