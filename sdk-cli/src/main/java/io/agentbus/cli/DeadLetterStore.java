package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.Headers;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The kept dead letters: the stream that captures {@code <namespace>.deadletter} (the SDK keeps one
 * as soon as a bus has a durable queue, or with {@code keepDeadLetters}).
 */
final class DeadLetterStore {
  /** Header a replayed message carries: {@code <dead-letter stream>/<sequence>} it came from. */
  static final String REPLAY_HEADER = "AgentBus-Replay";

  private final Session session;
  private final JetStreamApi api;
  private final String subject;
  private final String stream;

  private DeadLetterStore(Session session, JetStreamApi api, String stream) {
    this.session = session;
    this.api = api;
    this.subject = session.subjects().deadLetter();
    this.stream = stream;
  }

  static DeadLetterStore open(Session session) throws InterruptedException {
    JetStreamApi api = new JetStreamApi(session.transport(), Duration.ofSeconds(5));
    String subject = session.subjects().deadLetter();
    List<String> streams = api.streamNames(subject);
    if (streams.isEmpty()) {
      throw new CliException(ExitCode.NOT_FOUND, "No stream keeps the dead letters of "
          + subject + ": they are kept once an agent's bus has a durable queue or "
          + "agentbus.history.deadletter.max-age (docs/durable-queues.md); until then watch them "
          + "with 'agentbus tail deadletter'.");
    }
    return new DeadLetterStore(session, api, streams.get(0));
  }

  String stream() {
    return stream;
  }

  JetStreamApi api() {
    return api;
  }

  /** A dead letter with what its headers and payload say. */
  record Entry(JetStreamApi.Stored stored, @Nullable AgentMessage message,
      @Nullable String decodeError) {
    @Nullable String originalSubject() {
      return stored.headers().first(Headers.ORIGINAL_SUBJECT);
    }

    @Nullable String error() {
      return stored.headers().first(Headers.ERROR);
    }

    @Nullable String originalStream() {
      return stored.headers().first(Headers.ORIGINAL_STREAM);
    }

    Map<String, @Nullable Object> json() {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("seq", stored.sequence());
      m.put("time", stored.time().toString());
      m.put("original_subject", originalSubject());
      m.put("error", error());
      m.put("delivery_count", stored.headers().first(Headers.DELIVERY_COUNT));
      m.put("original_stream", originalStream());
      m.put("original_sequence", stored.headers().first(Headers.ORIGINAL_SEQUENCE));
      m.put("original_msg_id", stored.headers().first(Headers.ORIGINAL_MESSAGE_ID));
      m.put("headers", stored.headers().asMap());
      m.put("message", message == null ? null : Json.message(message));
      if (decodeError != null) {
        m.put("decode_error", decodeError);
      }
      return m;
    }
  }

  /** Up to {@code limit} dead letters, oldest first. */
  List<Entry> list(int limit) throws InterruptedException {
    List<Entry> out = new ArrayList<>();
    long next = 1;
    while (out.size() < limit) {
      Optional<JetStreamApi.Stored> s = api.getAtOrAfter(stream, next, subject);
      if (s.isEmpty()) {
        break;
      }
      out.add(entry(s.get()));
      next = s.get().sequence() + 1;
    }
    return out;
  }

  Optional<Entry> get(long sequence) throws InterruptedException {
    return api.get(stream, sequence).map(this::entry);
  }

  private Entry entry(JetStreamApi.Stored s) {
    TransportMessage raw = new TransportMessage(s.subject(), null, s.headers(), s.payload());
    try {
      return new Entry(s, session.codecFor(raw).decode(s.payload()), null);
    } catch (CodecException e) {
      return new Entry(s, null, e.getMessage());
    }
  }
}
