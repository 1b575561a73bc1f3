package io.agentbus.transport.inmemory;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StreamSpec;
import io.agentbus.time.Scheduler;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One stream of {@link InMemoryStreams}: its messages by sequence, the message ids it remembers
 * for de-duplication, its limits (age, count) and its durable consumers. Not thread-safe: every
 * method runs under the store's lock.
 */
final class StoredStream {
  /** One stored message; immutable. */
  static final class Entry {
    final long seq;
    final String subject;
    final Headers headers;
    final byte[] payload;
    final Instant storedAt;

    Entry(long seq, String subject, Headers headers, byte[] payload, Instant storedAt) {
      this.seq = seq;
      this.subject = subject;
      this.headers = headers;
      this.payload = payload;
      this.storedAt = storedAt;
    }
  }

  private final Scheduler scheduler;
  private final Object lock;
  StreamSpec spec;
  final NavigableMap<Long, Entry> messages = new TreeMap<>();
  /** Message ids to the sequence and time they were first stored, oldest first. */
  private final LinkedHashMap<String, long[]> ids = new LinkedHashMap<>();
  final Map<String, DurableConsumer> consumers = new HashMap<>();
  long lastSeq;

  StoredStream(StreamSpec spec, Scheduler scheduler, Object lock) {
    this.spec = spec;
    this.scheduler = scheduler;
    this.lock = lock;
  }

  StoreAck append(String subject, Headers headers, byte[] payload) {
    Instant now = scheduler.now();
    forgetOldIds(now);
    String id = headers.first(Headers.MESSAGE_ID);
    if (id != null) {
      long[] first = ids.get(id);
      if (first != null) {
        return new StoreAck(spec.name(), first[0], true);
      }
    }
    long seq = ++lastSeq;
    messages.put(seq, new Entry(seq, subject, headers, payload, now));
    if (id != null) {
      ids.put(id, new long[] {seq, now.toEpochMilli()});
    }
    applyLimits();
    consumers.values().forEach(DurableConsumer::wakeUp);
    return new StoreAck(spec.name(), seq, false);
  }

  private void forgetOldIds(Instant now) {
    long cutoff = now.minus(spec.duplicateWindow()).toEpochMilli();
    Iterator<long[]> it = ids.values().iterator();
    while (it.hasNext()) {
      if (it.next()[1] <= cutoff) {
        it.remove();
      } else {
        return;
      }
    }
  }

  void applyLimits() {
    if (!spec.maxAge().isZero()) {
      Instant oldest = scheduler.now().minus(spec.maxAge());
      while (!messages.isEmpty() && messages.firstEntry().getValue().storedAt.isBefore(oldest)) {
        remove(messages.firstKey());
      }
    }
    if (spec.maxMessages() > 0) {
      while (messages.size() > spec.maxMessages()) {
        remove(messages.firstKey());
      }
    }
  }

  void remove(long seq) {
    messages.remove(seq);
    for (DurableConsumer c : consumers.values()) {
      c.forget(seq);
    }
  }

  DurableConsumer consumer(ConsumerSpec cs) {
    DurableConsumer c = consumers.get(cs.name());
    if (c == null) {
      if (spec.retention() == StreamSpec.Retention.WORK_QUEUE) {
        for (DurableConsumer other : consumers.values()) {
          if (InMemoryStreams.overlap(other.spec.filterSubject(), cs.filterSubject())) {
            throw new ConfigurationException("Work-queue stream '" + spec.name()
                + "' already has consumer '" + other.spec.name() + "' on '"
                + other.spec.filterSubject() + "'; consumer '" + cs.name() + "' on '"
                + cs.filterSubject() + "' would overlap it (each item goes to one consumer)");
          }
        }
      }
      c = new DurableConsumer(this, cs, scheduler, lock);
      consumers.put(cs.name(), c);
    } else {
      c.spec = cs; // like a NATS consumer update: ack wait and limits of the newest worker
    }
    return c;
  }
}
