package io.agentbus;

import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportMessage;
import io.agentbus.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one {@link MessageBus} puts a message on the wire: encode, the headers a receiver needs
 * (only what the payload does not say already), the interceptors' {@code beforePublish}, the
 * transport, the count. Every publish of the bus goes through here: sends, queue items, requests,
 * replies and dead letters. Thread-safe.
 */
final class PublishPath {
  private static final Logger log = LoggerFactory.getLogger(PublishPath.class);

  private final Transport transport;
  private final CodecSelector codecs;
  private final List<MessageInterceptor> interceptors;
  private final BusMetrics metrics;
  private final Scheduler scheduler;
  private final AtomicBoolean closed;

  PublishPath(Transport transport, CodecSelector codecs, List<MessageInterceptor> interceptors,
      BusMetrics metrics, Scheduler scheduler, AtomicBoolean closed) {
    this.transport = transport;
    this.codecs = codecs;
    this.interceptors = List.copyOf(interceptors);
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.closed = closed;
  }

  List<MessageInterceptor> interceptors() {
    return interceptors;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Codec primaryCodec() {
    return codecs.primary();
  }

  /** @throws IllegalStateException once the bus is closed */
  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("This MessageBus is closed");
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Encodes {@code message} with {@code codec} and publishes it to {@code subject}. */
  void publish(String subject, AgentMessage message, Codec codec) {
    checkOpen();
    byte[] payload = codec.encode(message);
    send(subject, null, headersFor(subject, message, codec, payload), payload);
  }

  /** Publishes bytes already encoded, and counts them. */
  void send(String subject, @Nullable String replyTo, Headers headers, byte[] payload) {
    transport.publish(subject, replyTo, headers, payload);
    metrics.published.increment();
  }

  /** Counts a message the transport sent on its own (a request). */
  void countPublished() {
    metrics.published.increment();
  }

  /**
   * The headers of {@code message} on {@code subject}: its content type where the payload does
   * not say it (JSON goes without, as the Python agents send it: absent means JSON on this wire,
   * and a message without headers costs NATS less than one with them), then whatever
   * the interceptors add. The correlation id is in the payload and is not copied into a header
   * (see docs/performance.md for what the copy cost).
   */
  Headers headersFor(String subject, AgentMessage message, Codec codec, byte[] payload) {
    return headersFor(subject, message, codec, payload, null);
  }

  /**
   * As {@link #headersFor(String, AgentMessage, Codec, byte[])}, with {@code messageId} (when not
   * null) in {@link Headers#MESSAGE_ID} before the interceptors run, so that they see it.
   */
  Headers headersFor(String subject, AgentMessage message, Codec codec, byte[] payload,
      @Nullable String messageId) {
    Headers headers = withTaskId(codecs.contentTypeHeaders(codec, payload), message);
    if (messageId != null) {
      headers = headers.with(Headers.MESSAGE_ID, messageId);
    }
    for (MessageInterceptor i : interceptors) {
      headers = i.beforePublish(subject, message, headers, payload);
    }
    return headers;
  }

  /** Tells the interceptors that {@code raw} is dead-lettered; what they throw is logged. */
  void notifyDeadLetter(TransportMessage raw, String error) {
    for (MessageInterceptor i : interceptors) {
      try {
        i.onDeadLetter(raw, error);
      } catch (RuntimeException e) {
        log.warn("Interceptor {} failed on the dead letter of a message from '{}'; ignored", i,
            raw.subject(), e);
      }
    }
  }

  private static final Set<MessageType> TASK_TYPES = Set.of(MessageType.TASK_ASSIGNMENT,
      MessageType.STATUS_UPDATE, MessageType.TASK_COMPLETE, MessageType.TASK_FAILED);

  /** Copies a task message's {@code task_id} into {@link Headers#TASK_ID} (docs/wire-format.md). */
  private static Headers withTaskId(Headers headers, AgentMessage message) {
    if (!TASK_TYPES.contains(message.messageType())) {
      return headers;
    }
    Object id = message.content().get("task_id");
    if (!(id instanceof String s) || s.isEmpty() || !isHeaderSafe(s)) {
      return headers;
    }
    return headers.with(Headers.TASK_ID, s);
  }

  /** A header value on one line and at most about 1 KiB: headers travel in the protocol line. */
  static String singleLine(String s) {
    String one = s.replace('\r', ' ').replace('\n', ' ');
    if (one.getBytes(StandardCharsets.UTF_8).length <= 1024) {
      return one;
    }
    // cut by UTF-8 bytes, not chars (a char may take 3 bytes), and between code points
    int end = 0;
    int bytes = 0;
    while (end < one.length()) {
      int cp = one.codePointAt(end);
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes > 1000) {
        break;
      }
      end += Character.charCount(cp);
    }
    return one.substring(0, end) + "...";
  }

  static boolean isHeaderSafe(String value) {
    return value.indexOf('\r') < 0 && value.indexOf('\n') < 0;
  }
}
