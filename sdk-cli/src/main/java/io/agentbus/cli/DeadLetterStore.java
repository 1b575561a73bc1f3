package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.Headers;
import com.fasterxml.jackson.databind.JsonNode;
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

  /**
   * Publishes dead letter {@code seq} again to its original subject, marked with {@link
   * #REPLAY_HEADER}, and removes it only once that was accepted (unless {@code keep}).
   *
   * @return the outcome: {@code seq}, {@code outcome} (stored, published, failed, not found),
   *     {@code subject}, {@code stored_in}/{@code stored_seq}/{@code duplicate}, {@code error},
   *     {@code removed}
   */
  Map<String, @Nullable Object> replay(long seq, boolean keep) throws InterruptedException {
    Map<String, @Nullable Object> o = new LinkedHashMap<>();
    o.put("seq", seq);
    Optional<DeadLetterStore.Entry> found = get(seq);
    if (found.isEmpty()) {
      o.put("outcome", "not found");
      o.put("removed", false);
      return o;
    }
    DeadLetterStore.Entry e = found.get();
    String subject = e.originalSubject();
    o.put("subject", subject);
    if (subject == null) {
      o.put("outcome", "failed");
      o.put("error", "it has no " + Headers.ORIGINAL_SUBJECT + " header");
      o.put("removed", false);
      return o;
    }
    Headers.Builder h = Headers.builder()
        .set(DeadLetterStore.REPLAY_HEADER, stream + "/" + seq)
        // a fresh id: the stream still remembers the original's for its duplicate window
        .set(Headers.MESSAGE_ID, "replay/" + stream + "/" + seq);
    String contentType = e.stored().headers().first(Headers.CONTENT_TYPE);
    if (contentType != null) {
      h.set(Headers.CONTENT_TYPE, contentType);
    }
    String originalId = e.stored().headers().first(Headers.ORIGINAL_MESSAGE_ID);
    if (originalId != null) {
      h.set(Headers.ORIGINAL_MESSAGE_ID, originalId);
    }
    boolean accepted;
    try {
      if (!api.streamNames(subject).isEmpty()) {
        JsonNode ack = api.publishStored(subject, h.build(), e.stored().payload());
        o.put("outcome", "stored");
        o.put("stored_in", JetStreamApi.text(ack, "stream"));
        o.put("stored_seq", ack.path("seq").asLong());
        o.put("duplicate", ack.path("duplicate").asBoolean(false));
      } else {
        session.transport().publish(subject, null, h.build(), e.stored().payload());
        session.transport().flush(Duration.ofSeconds(5));
        o.put("outcome", "published");
      }
      accepted = true;
    } catch (RuntimeException ex) {
      o.put("outcome", "failed");
      o.put("error", Failures.translate(ex).getMessage());
      accepted = false;
    }
    o.put("removed", accepted && !keep && api.delete(stream, seq));
    return o;
  }
}
