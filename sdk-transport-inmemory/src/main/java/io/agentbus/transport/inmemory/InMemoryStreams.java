package io.agentbus.transport.inmemory;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.Subjects;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.QueueState;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StreamSpec;
import io.agentbus.time.Scheduler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory counterpart of NATS JetStream: persistent (for the life of the broker) streams
 * with work-queue or limits retention, message-id de-duplication, durable consumers with explicit
 * acknowledgement, ack wait, delayed redelivery and delivery counts, and replay. One instance
 * serves every transport of one broker; all time (ack wait, delays, windows, ages) runs on the
 * injected {@link Scheduler}, so tests move it with {@code VirtualScheduler}.
 *
 * <p>The server calls {@link #capture} for every message a transport publishes, on the publishing
 * thread, so that plain publishes to a stream's subject are stored as a NATS server stores them;
 * a store-acknowledged {@link StreamSession#publish} is such a publish, with the message id
 * header. Thread-safe; one lock guards all stream state (this is a test double and an embedded
 * default, not a database).
 *
 * <p>This class is the store: the streams by name, what they capture, declarations and lookups.
 * Each transport sees it through its own {@link StreamSession}; a stream's messages and limits
 * are a {@link StoredStream}, a consumer's delivery bookkeeping a {@link DurableConsumer}, its
 * thread a {@link StreamWorker}, and the handles handed to handlers {@link DeliveredMessage} and
 * {@link ReplayedMessage}.
 */
final class InMemoryStreams {
  /**
   * A transport's plain publish: validates, reaches the plain subscribers, and has the server
   * call {@link #capture} on the calling thread.
   */
  @FunctionalInterface
  interface Publisher {
    void publish(String subject, Headers headers, byte[] payload);
  }

  private final Scheduler scheduler;
  private final Object lock = new Object();
  private final Map<String, StoredStream> streams = new LinkedHashMap<>();
  /** Where {@link #capture} leaves its acknowledgement for a {@link #publishCaptured} under way. */
  private final ThreadLocal<StoreAck @Nullable []> acks = new ThreadLocal<>();
  /** Every subject pattern some stream captures: read without the lock on each publish. */
  private volatile List<String> capturedPatterns = List.of();

  InMemoryStreams(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * A view for one transport, publishing through {@code publisher}; its workers and replays stop
   * when {@link StreamSession#close} is called.
   */
  StreamSession session(Publisher publisher) {
    return new StreamSession(this, publisher);
  }

  /**
   * Stores a message the broker published, if a stream captures its subject. Called on the
   * publishing thread.
   *
   * @return the store's acknowledgement, or null when no stream captures the subject
   */
  @Nullable StoreAck capture(String subject, Headers headers, byte[] payload) {
    boolean captured = false;
    for (String pattern : capturedPatterns) {
      if (Subjects.matches(pattern, subject)) {
        captured = true;
        break;
      }
    }
    if (!captured) {
      return null;
    }
    StoreAck ack;
    synchronized (lock) {
      StoredStream s = streamFor(subject);
      if (s == null) {
        return null;
      }
      ack = s.append(subject, headers, payload);
    }
    StoreAck[] slot = acks.get();
    if (slot != null) {
      slot[0] = ack;
    }
    return ack;
  }

  private @Nullable StoredStream streamFor(String subject) {
    for (StoredStream s : streams.values()) {
      for (String pattern : s.spec.subjects()) {
        if (Subjects.matches(pattern, subject)) {
          return s;
        }
      }
    }
    return null;
  }

  /** Stream names, for diagnostics and tests. */
  Set<String> streamNames() {
    synchronized (lock) {
      return Set.copyOf(streams.keySet());
    }
  }

  /** Messages currently stored in {@code stream}. */
  int storedCount(String stream) {
    synchronized (lock) {
      StoredStream s = streams.get(stream);
      if (s == null) {
        return 0;
      }
      s.applyLimits();
      return s.messages.size();
    }
  }

  /** The state of {@code stream} and its consumer {@code consumer}; empty without the stream. */
  Optional<QueueState> queueState(String stream, String consumer) {
    synchronized (lock) {
      StoredStream s = streams.get(stream);
      if (s == null) {
        return Optional.empty();
      }
      s.applyLimits();
      DurableConsumer c = s.consumers.get(consumer);
      if (c == null) {
        return Optional.of(new QueueState(stream, consumer, s.messages.size(), false, 0, 0, 0));
      }
      long[] counts = c.counts();
      return Optional.of(new QueueState(stream, consumer, s.messages.size(), true, counts[0],
          counts[1], counts[2]));
    }
  }

  /**
   * A consumer's state, for tests: deliveries not yet settled (including those held back by a
   * delayed retry), and messages waiting to be redelivered.
   */
  record ConsumerState(int unsettled, int awaitingRedelivery) {}

  ConsumerState consumerState(String stream, String consumer) {
    synchronized (lock) {
      StoredStream s = streams.get(stream);
      DurableConsumer c = s == null ? null : s.consumers.get(consumer);
      if (c == null) {
        throw new IllegalArgumentException("No consumer '" + consumer + "' on stream '" + stream
            + "'");
      }
      return new ConsumerState(c.pending.size(), c.redeliver.size());
    }
  }

  /**
   * Publishes through {@code publisher} and returns the acknowledgement {@link #capture} left for
   * that publish on this thread, or null when no stream captured it.
   */
  @Nullable StoreAck publishCaptured(Publisher publisher, String subject, Headers headers,
      byte[] payload) {
    StoreAck[] slot = new StoreAck[1];
    acks.set(slot);
    try {
      publisher.publish(subject, headers, payload);
    } finally {
      acks.remove();
    }
    return slot[0];
  }

  /**
   * Creates stream {@code spec.name()}, or updates its subjects and limits.
   *
   * @throws ConfigurationException if its subjects overlap another stream's, or if it exists with
   *     another retention
   */
  void declare(StreamSpec spec) {
    synchronized (lock) {
      StoredStream existing = streams.get(spec.name());
      for (StoredStream other : streams.values()) {
        if (other == existing) {
          continue;
        }
        for (String mine : spec.subjects()) {
          for (String theirs : other.spec.subjects()) {
            if (overlap(mine, theirs)) {
              throw new ConfigurationException("Stream '" + spec.name() + "' would capture '"
                  + mine + "', which overlaps subject '" + theirs + "' of stream '"
                  + other.spec.name() + "'; a subject can be kept by one stream only");
            }
          }
        }
      }
      if (existing == null) {
        streams.put(spec.name(), new StoredStream(spec, scheduler, lock));
        refreshPatterns();
        return;
      }
      if (existing.spec.retention() != spec.retention()) {
        throw new ConfigurationException("Stream '" + spec.name() + "' exists with retention "
            + existing.spec.retention() + " and cannot be changed to " + spec.retention());
      }
      existing.spec = spec;
      existing.applyLimits();
      refreshPatterns();
    }
  }

  /**
   * The durable consumer {@code spec.name()} of its stream, created or updated.
   *
   * @throws ConfigurationException if the stream does not exist, or if a new consumer would
   *     overlap another on a work-queue stream
   */
  DurableConsumer consumer(ConsumerSpec spec) {
    synchronized (lock) {
      StoredStream s = streams.get(spec.stream());
      if (s == null) {
        throw new ConfigurationException("Consumer '" + spec.name() + "': no stream named '"
            + spec.stream() + "' (streams: " + streams.keySet() + ")");
      }
      return s.consumer(spec);
    }
  }

  /**
   * The messages a replay of {@code spec} hands out, as stored now.
   *
   * @throws ConfigurationException if the stream does not exist
   */
  List<StoredStream.Entry> snapshot(ReplaySpec spec) {
    List<StoredStream.Entry> snapshot = new ArrayList<>();
    synchronized (lock) {
      StoredStream s = streams.get(spec.stream());
      if (s == null) {
        throw new ConfigurationException("Cannot replay: no stream named '" + spec.stream()
            + "' (streams: " + streams.keySet() + ")");
      }
      s.applyLimits();
      for (StoredStream.Entry e : s.messages.tailMap(spec.fromSequence(), true).values()) {
        if (spec.since() != null && e.storedAt.isBefore(spec.since())) {
          continue;
        }
        if (Subjects.matches(spec.subjectFilter(), e.subject)) {
          snapshot.add(e);
        }
      }
    }
    return snapshot;
  }

  /** The lock guarding all stream state, which workers also wait on for new messages. */
  Object lock() {
    return lock;
  }

  private void refreshPatterns() {
    List<String> all = new ArrayList<>();
    for (StoredStream st : streams.values()) {
      all.addAll(st.spec.subjects());
    }
    capturedPatterns = List.copyOf(all);
  }

  /** True when some subject could match both patterns (so two streams would both capture it). */
  static boolean overlap(String a, String b) {
    String[] x = a.split("\\.", -1);
    String[] y = b.split("\\.", -1);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      if (x[i].equals(">") || y[i].equals(">")) {
        return true;
      }
      if (!x[i].equals("*") && !y[i].equals("*") && !x[i].equals(y[i])) {
        return false;
      }
    }
    return x.length == y.length;
  }
}
