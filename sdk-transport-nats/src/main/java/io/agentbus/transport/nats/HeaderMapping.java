package io.agentbus.transport.nats;

import io.agentbus.Headers;
import io.nats.client.Message;
import io.agentbus.spi.TransportMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates between AgentBus {@link Headers} and jnats headers at the transport's edge.
 *
 * <p>NATS header values are US-ASCII, and jnats drops a header whose values are all empty, while
 * AgentBus headers may hold any text without CR or LF. Values that NATS cannot carry as they are
 * (empty, or with non-ASCII characters) travel as an RFC 2047 encoded word, {@code
 * =?UTF-8?B?<base64>?=}, and are decoded on receipt, so a value round-trips unchanged between
 * AgentBus processes; a value that already looks like an encoded word is encoded again so that it
 * too comes back as it was sent.
 *
 * <p>The neutral {@link Headers#MESSAGE_ID} travels as JetStream's {@code Nats-Msg-Id}, which the
 * server de-duplicates on and a plain NATS client (the seed's Python agents) sets and reads; a
 * received {@code Nats-Msg-Id} comes back as {@link Headers#MESSAGE_ID}. A header literally named
 * {@code Nats-Msg-Id} in AgentBus headers is therefore the message id too; when both are set, {@link
 * Headers#MESSAGE_ID} wins.
 */
final class HeaderMapping {
  /** JetStream's de-duplication header: the wire name of {@link Headers#MESSAGE_ID}. */
  static final String NATS_MSG_ID = "Nats-Msg-Id";

  private static final Logger log = LoggerFactory.getLogger(HeaderMapping.class);
  private static final String PREFIX = "=?UTF-8?B?";
  private static final String SUFFIX = "?=";
  private static final Pattern ENCODED =
      Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/]*={0,2})\\?=", Pattern.CASE_INSENSITIVE);

  private HeaderMapping() {}

  /**
   * The jnats headers for {@code headers}, or null when there are none: read-only (jnats then
   * neither copies them per message nor lets anyone change them) and already serialised, so one
   * instance may be published any number of times, from any thread, once safely shared.
   */
  static io.nats.client.impl.@Nullable Headers toNats(Headers headers) {
    if (headers.isEmpty()) {
      return null;
    }
    io.nats.client.impl.Headers n = new io.nats.client.impl.Headers();
    boolean hasNeutralId = headers.asMap().containsKey(Headers.MESSAGE_ID);
    for (Map.Entry<String, List<String>> e : headers.asMap().entrySet()) {
      String name = e.getKey();
      if (name.equals(Headers.MESSAGE_ID)) {
        name = NATS_MSG_ID;
      } else if (hasNeutralId && name.equals(NATS_MSG_ID)) {
        continue;
      }
      List<String> values = new ArrayList<>(e.getValue().size());
      for (String v : e.getValue()) {
        values.add(encode(v));
      }
      n.add(name, values);
    }
    io.nats.client.impl.Headers readOnly = new io.nats.client.impl.Headers(n, true);
    readOnly.getSerialized(); // computed here, before the instance is shared
    return readOnly;
  }

  /**
   * The last single-header set each thread received and what it became: a subscription's
   * dispatcher thread mostly sees the same headers message after message (a peer's {@code
   * Content-Type}, a tracing header).
   */
  private static final ThreadLocal<@Nullable Object[]> LAST_RECEIVED = new ThreadLocal<>();

  /** AgentBus headers for a received jnats message's headers. */
  static Headers fromNats(io.nats.client.impl.@Nullable Headers n, String subject) {
    if (n == null || n.isEmpty()) {
      return Headers.empty();
    }
    if (n.size() == 1) {
      return fromSingleHeader(n, subject);
    }
    return convert(n, subject);
  }

  private static Headers fromSingleHeader(io.nats.client.impl.Headers n, String subject) {
    String name = n.keySet().iterator().next();
    List<String> values = n.get(name);
    if (values == null || values.size() != 1) {
      return convert(n, subject);
    }
    String value = values.get(0);
    Object[] last = LAST_RECEIVED.get();
    if (last != null && name.equals(last[0]) && value.equals(last[1])) {
      return (Headers) last[2];
    }
    Headers converted = convert(n, subject);
    if (!converted.isEmpty()) { // an ignored header is warned about every time it comes
      LAST_RECEIVED.set(new Object[] {name, value, converted});
    }
    return converted;
  }

  private static Headers convert(io.nats.client.impl.Headers n, String subject) {
    Headers.Builder b = Headers.builder();
    for (String wireName : n.keySet()) {
      List<String> values = n.get(wireName);
      if (values == null) {
        continue;
      }
      String name = wireName.equals(NATS_MSG_ID) ? Headers.MESSAGE_ID : wireName;
      for (String v : values) {
        try {
          b.add(name, decode(v));
        } catch (IllegalArgumentException e) {
          log.warn("Ignoring header '{}' of a message on '{}': {}", name, subject,
              e.getMessage());
        }
      }
    }
    return b.build();
  }

  static TransportMessage fromNats(Message m) {
    byte[] data = m.getData();
    String replyTo = m.getReplyTo();
    return new TransportMessage(m.getSubject(),
        replyTo == null || replyTo.isEmpty() ? null : replyTo,
        fromNats(m.hasHeaders() ? m.getHeaders() : null, m.getSubject()),
        data == null ? new byte[0] : data);
  }

  static String encode(String value) {
    if (needsEncoding(value)) {
      return PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
          + SUFFIX;
    }
    return value;
  }

  static String decode(String value) {
    if (!looksEncoded(value)) {
      return value; // the common case, e.g. application/json: no regex on the hot path
    }
    Matcher m = ENCODED.matcher(value);
    if (!m.matches()) {
      return value;
    }
    try {
      return new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value;
    }
  }

  private static boolean needsEncoding(String value) {
    if (value.isEmpty()) {
      return true;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) > 127) {
        return true;
      }
    }
    return looksEncoded(value) && ENCODED.matcher(value).matches();
  }

  /** A cheap test that rules out almost every value before the regex runs. */
  private static boolean looksEncoded(String value) {
    return value.length() >= PREFIX.length() + SUFFIX.length()
        && value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && value.endsWith(SUFFIX);
  }
}
