package io.agentbus;

import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams one {@link MessageBus} keeps history in: the namespace's broadcasts (when {@link
 * MessageBus.Builder#keepBroadcasts} is set) and its dead letters (with durable queues or {@link
 * MessageBus.Builder#keepDeadLetters}), and replay from them. Specs are resolved when the bus is
 * built; the streams are declared by {@link #declare()} (which {@link MessageBus.Builder#build()}
 * calls, as its Javadoc says) and, for the dead-letter stream, again on first use if that failed.
 * Thread-safe.
 */
final class BusStreams {
  private static final Logger log = LoggerFactory.getLogger(BusStreams.class);
  /** How long dead letters of durable queues are kept unless the bus says otherwise. */
  static final Duration DEFAULT_DEAD_LETTER_AGE = Duration.ofDays(7);

  private final @Nullable DurableStreams streams;
  private final @Nullable StreamSpec broadcasts;
  private final @Nullable StreamSpec deadLetters;
  private volatile boolean deadLettersDeclared;

  /**
   * @param deadLetterReplicas replicas of the dead-letter stream when it is kept only because of
   *     durable queues, 0 when there are none
   */
  BusStreams(@Nullable DurableStreams streams, Subjects subjects,
      @Nullable HistoryOptions keepBroadcasts, @Nullable HistoryOptions keepDeadLetters,
      int deadLetterReplicas) {
    this.streams = streams;
    String ns = subjects.namespace();
    this.broadcasts = keepBroadcasts == null ? null
        : historyStream(keepBroadcasts, streamName(ns, "broadcasts"), ns + ".broadcast.>");
    HistoryOptions dl = keepDeadLetters;
    if (dl == null && deadLetterReplicas > 0) {
      dl = HistoryOptions.keepFor(DEFAULT_DEAD_LETTER_AGE).replicas(deadLetterReplicas).build();
    }
    this.deadLetters = dl == null ? null
        : historyStream(dl, streamName(ns, "deadletter"), subjects.deadLetter());
  }

  /** The transport's streams; null when it has none (then nothing durable is configured). */
  @Nullable DurableStreams streams() {
    return streams;
  }

  /**
   * Declares the history streams, so that nothing published from here on is missed and a server
   * without streams fails at startup.
   */
  void declare() {
    if (broadcasts != null) {
      require().declare(broadcasts);
    }
    ensureDeadLetterStream();
  }

  /** Declares the dead-letter stream if it is kept and not declared yet. */
  void ensureDeadLetterStream() {
    StreamSpec spec = deadLetters;
    if (spec == null || deadLettersDeclared) {
      return;
    }
    synchronized (this) {
      if (!deadLettersDeclared) {
        require().declare(spec);
        deadLettersDeclared = true;
      }
    }
  }

  /** Stores a dead letter in its stream and waits for the store. */
  void storeDeadLetter(String subject, Headers headers, byte[] payload, String id,
      Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
    ensureDeadLetterStream();
    require().publish(subject, headers, payload, id, timeout)
        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  private DurableStreams require() {
    DurableStreams s = streams;
    if (s == null) {
      throw new IllegalStateException("no durable streams"); // the builder checked this
    }
    return s;
  }

  /**
   * Replays the kept messages on {@code pattern}; see {@link MessageBus#replay}.
   *
   * @throws ConfigurationException if no kept history covers {@code pattern}
   */
  CompletableFuture<ReplayResult> replay(String pattern, ReplayStart start,
      MessageHandler handler, DeliveryPipeline pipeline) {
    StreamSpec kept = null;
    List<String> keptSubjects = new ArrayList<>();
    for (StreamSpec spec : new StreamSpec[] {broadcasts, deadLetters}) {
      if (spec == null) {
        continue;
      }
      keptSubjects.addAll(spec.subjects());
      for (String s : spec.subjects()) {
        if (covers(s, pattern)) {
          kept = spec;
        }
      }
    }
    DurableStreams s = streams;
    if (kept == null || s == null) {
      throw new ConfigurationException("No kept history covers '" + pattern + "'; this "
          + "bus keeps " + (keptSubjects.isEmpty() ? "nothing" : keptSubjects)
          + ". Configure MessageBus.Builder.keepBroadcasts(...) to keep broadcasts.");
    }
    ReplaySpec spec = new ReplaySpec(kept.name(), pattern, start.since(), start.fromSequence());
    AtomicLong delivered = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong undecodable = new AtomicLong();
    AtomicLong last = new AtomicLong();
    CompletableFuture<Long> raw = s.replay(spec, m -> {
      last.set(m.sequence());
      replayOne(m, handler, pipeline, delivered, failures, undecodable);
    });
    CompletableFuture<ReplayResult> result = raw.thenApply(n ->
        new ReplayResult(delivered.get(), failures.get(), undecodable.get(), last.get()));
    result.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        raw.cancel(false);
      }
    });
    return result;
  }

  private static void replayOne(StoredMessage m, MessageHandler handler,
      DeliveryPipeline pipeline, AtomicLong delivered, AtomicLong failures,
      AtomicLong undecodable) {
    TransportMessage raw = m.message();
    CodecSelector.Decoded decoded;
    try {
      decoded = pipeline.decode(raw);
    } catch (CodecException e) {
      undecodable.incrementAndGet();
      log.warn("Replay: could not decode stored message {} of '{}' on '{}': {}; skipping it",
          m.sequence(), m.stream(), raw.subject(), e.getMessage());
      return;
    }
    delivered.incrementAndGet();
    try {
      pipeline.deliver(pipeline.delivery(raw, decoded, m), handler);
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      failures.incrementAndGet();
      log.error("Replay handler failed on stored message {} of '{}' ({} from {}); the replay "
          + "goes on", m.sequence(), m.stream(), decoded.message.messageType(),
          decoded.message.fromAgent(), e);
    }
  }

  private static StreamSpec historyStream(HistoryOptions o, String defaultName, String subject) {
    String name = o.streamName() != null ? o.streamName() : defaultName;
    return new StreamSpec(name, List.of(subject), StreamSpec.Retention.LIMITS, o.maxAge(),
        o.maxMessages(), Duration.ofMinutes(2), o.replicas());
  }

  /** {@code <namespace>_<suffix>} with every character a stream name cannot hold made {@code _}. */
  static String streamName(String namespace, String suffix) {
    String raw = namespace + "_" + suffix;
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  /** True when every subject matching {@code pattern} also matches {@code streamSubject}. */
  static boolean covers(String streamSubject, String pattern) {
    String[] s = streamSubject.split("\\.", -1);
    String[] p = pattern.split("\\.", -1);
    for (int i = 0; i < s.length; i++) {
      if (s[i].equals(">")) {
        return p.length > i;
      }
      if (i >= p.length || p[i].equals(">")) {
        return false;
      }
      if (!s[i].equals("*") && !s[i].equals(p[i])) {
        return false;
      }
    }
    return s.length == p.length;
  }
}
