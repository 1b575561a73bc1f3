package io.agentbus.transport.inmemory;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.Subjects;
import io.agentbus.TransportException;
import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory counterpart of NATS JetStream: persistent (for the life of the broker) streams
 * with work-queue or limits retention, message-id de-duplication, durable consumers with explicit
 * acknowledgement, ack wait, delayed redelivery and delivery counts, and replay. One instance
 * serves every transport of one broker; all time (ack wait, delays, windows, ages) runs on the
 * injected {@link Scheduler}, so tests move it with {@code VirtualScheduler}.
 *
 * <p>The server calls {@link #capture} for every message a transport publishes, on the publishing
 * thread, so that plain publishes to a stream's subject are stored as a NATS server stores them;
 * a store-acknowledged {@link Session#publish} is such a publish, with the message id header.
 * Thread-safe; one lock guards all stream state (this is a test double and an embedded default,
 * not a database).
 */
final class InMemoryStreams {
  private static final Logger log = LoggerFactory.getLogger(InMemoryStreams.class);

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
  private final Map<String, Stream> streams = new LinkedHashMap<>();
  /** Where {@link #capture} leaves its acknowledgement for a {@link Session#publish} under way. */
  private final ThreadLocal<StoreAck @Nullable []> acks = new ThreadLocal<>();
  /** Every subject pattern some stream captures: read without the lock on each publish. */
  private volatile List<String> capturedPatterns = List.of();

  InMemoryStreams(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * A view for one transport, publishing through {@code publisher}; its workers and replays stop
   * when {@link Session#close} is called.
   */
  Session session(Publisher publisher) {
    return new Session(publisher);
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
      Stream s = streamFor(subject);
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

  private @Nullable Stream streamFor(String subject) {
    for (Stream s : streams.values()) {
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
      Stream s = streams.get(stream);
      if (s == null) {
        return 0;
      }
      s.applyLimits();
      return s.messages.size();
    }
  }

  /**
   * A consumer's state, for tests: deliveries not yet settled (including those held back by a
   * delayed retry), and messages waiting to be redelivered.
   */
  record ConsumerState(int unsettled, int awaitingRedelivery) {}

  ConsumerState consumerState(String stream, String consumer) {
    synchronized (lock) {
      Stream s = streams.get(stream);
      Consumer c = s == null ? null : s.consumers.get(consumer);
      if (c == null) {
        throw new IllegalArgumentException("No consumer '" + consumer + "' on stream '" + stream
            + "'");
      }
      return new ConsumerState(c.pending.size(), c.redeliver.size());
    }
  }

  // ================================================================== the SPI, per transport

  /** {@link DurableStreams} for one transport. */
  final class Session implements DurableStreams {
    private final Publisher publisher;
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<Long>> replays = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Session(Publisher publisher) {
      this.publisher = publisher;
    }

    @Override
    public void declare(StreamSpec spec) {
      checkOpen();
      synchronized (lock) {
        Stream existing = streams.get(spec.name());
        for (Stream other : streams.values()) {
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
          streams.put(spec.name(), new Stream(spec));
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

    @Override
    public CompletableFuture<StoreAck> publish(String subject, Headers headers, byte[] payload,
        String messageId, Duration timeout) {
      try {
        checkOpen();
        Headers withId = headers.with(Headers.MESSAGE_ID, messageId);
        StoreAck[] slot = new StoreAck[1];
        acks.set(slot);
        try {
          // a plain publish that the server captures, as a JetStream publish is on NATS
          publisher.publish(subject, withId, payload);
        } finally {
          acks.remove();
        }
        StoreAck ack = slot[0];
        if (ack == null) {
          throw new TransportException("No stream captures subject '" + subject
              + "'; declare one first (the store has " + streamNames() + ")");
        }
        return CompletableFuture.completedFuture(ack);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
      checkOpen();
      Consumer consumer;
      synchronized (lock) {
        Stream s = streams.get(spec.stream());
        if (s == null) {
          throw new ConfigurationException("Consumer '" + spec.name() + "': no stream named '"
              + spec.stream() + "' (streams: " + streams.keySet() + ")");
        }
        consumer = s.consumer(spec);
      }
      Worker w = new Worker(consumer, handler, this);
      workers.add(w);
      w.start();
      return w;
    }

    @Override
    public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
      checkOpen();
      List<Entry> snapshot = new ArrayList<>();
      synchronized (lock) {
        Stream s = streams.get(spec.stream());
        if (s == null) {
          throw new ConfigurationException("Cannot replay: no stream named '" + spec.stream()
              + "' (streams: " + streams.keySet() + ")");
        }
        s.applyLimits();
        for (Entry e : s.messages.tailMap(spec.fromSequence(), true).values()) {
          if (spec.since() != null && e.storedAt.isBefore(spec.since())) {
            continue;
          }
          if (Subjects.matches(spec.subjectFilter(), e.subject)) {
            snapshot.add(e);
          }
        }
      }
      CompletableFuture<Long> done = new CompletableFuture<>();
      replays.add(done);
      done.whenComplete((n, t) -> replays.remove(done));
      Thread t = new Thread(() -> {
        long n = 0;
        for (Entry e : snapshot) {
          if (done.isDone()) {
            return;
          }
          try {
            handler.onMessage(new Replayed(e, spec.stream()));
          } catch (Exception | Error ex) {
            if (ex instanceof VirtualMachineError) {
              done.completeExceptionally(ex);
              throw (Error) ex;
            }
            log.warn("Replay handler failed on message {} of stream '{}'", e.seq, spec.stream(),
                ex);
          }
          n++;
        }
        done.complete(n);
      }, "agentbus-inmemory-replay-" + spec.stream());
      t.setDaemon(true);
      t.start();
      return done;
    }

    /** Lets this transport's workers finish the item they hold, then stops them. */
    CompletableFuture<Void> drainWorkers() {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (Worker w : workers) {
        w.unsubscribe();
        done.add(w.stopped);
      }
      return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    /** Stops this transport's workers and replays; their unsettled messages wait for ack wait. */
    void close() {
      closed = true;
      workers.forEach(Worker::unsubscribe);
      replays.forEach(f -> f.completeExceptionally(
          new TransportException("The transport was closed during the replay")));
    }

    private void checkOpen() {
      if (closed) {
        throw new TransportException("This transport is closed");
      }
    }

    @Override
    public String toString() {
      return "InMemoryStreams" + streamNames();
    }
  }

  private void refreshPatterns() {
    List<String> all = new ArrayList<>();
    for (Stream st : streams.values()) {
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

  // ================================================================== state (guarded by lock)

  private static final class Entry {
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

  private final class Stream {
    StreamSpec spec;
    final NavigableMap<Long, Entry> messages = new TreeMap<>();
    /** Message ids to the sequence and time they were first stored, oldest first. */
    final LinkedHashMap<String, long[]> ids = new LinkedHashMap<>();
    final Map<String, Consumer> consumers = new HashMap<>();
    long lastSeq;

    Stream(StreamSpec spec) {
      this.spec = spec;
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
      consumers.values().forEach(Consumer::wakeUp);
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
      for (Consumer c : consumers.values()) {
        c.forget(seq);
      }
    }

    Consumer consumer(ConsumerSpec cs) {
      Consumer c = consumers.get(cs.name());
      if (c == null) {
        if (spec.retention() == StreamSpec.Retention.WORK_QUEUE) {
          for (Consumer other : consumers.values()) {
            if (overlap(other.spec.filterSubject(), cs.filterSubject())) {
              throw new ConfigurationException("Work-queue stream '" + spec.name()
                  + "' already has consumer '" + other.spec.name() + "' on '"
                  + other.spec.filterSubject() + "'; consumer '" + cs.name() + "' on '"
                  + cs.filterSubject() + "' would overlap it (each item goes to one consumer)");
            }
          }
        }
        c = new Consumer(this, cs);
        consumers.put(cs.name(), c);
      } else {
        c.spec = cs; // like a NATS consumer update: ack wait and limits of the newest worker
      }
      return c;
    }
  }

  /** A durable consumer: its cursor, its unsettled deliveries and its redeliveries. */
  private final class Consumer {
    final Stream stream;
    ConsumerSpec spec;
    /** The next stream sequence never delivered. */
    long cursor = 1;
    final Deque<Long> redeliver = new ArrayDeque<>();
    /** Delivered and unsettled: sequence to its delivery. */
    final Map<Long, Pending> pending = new HashMap<>();
    final Map<Long, Integer> deliveries = new HashMap<>();

    Consumer(Stream stream, ConsumerSpec spec) {
      this.stream = stream;
      this.spec = spec;
    }

    /** The next message to deliver, or null; registers it as pending. */
    @Nullable Delivered next(Session session) {
      if (pending.size() >= spec.maxAckPending()) {
        return null;
      }
      Long seq = redeliver.pollFirst();
      Entry e = null;
      while (seq != null) {
        e = stream.messages.get(seq);
        if (e != null && !pending.containsKey(seq)) {
          break;
        }
        e = null;
        seq = redeliver.pollFirst();
      }
      if (e == null) {
        Map.Entry<Long, Entry> candidate = stream.messages.ceilingEntry(cursor);
        while (candidate != null
            && !Subjects.matches(spec.filterSubject(), candidate.getValue().subject)) {
          candidate = stream.messages.higherEntry(candidate.getKey());
        }
        if (candidate == null) {
          cursor = stream.lastSeq + 1;
          return null;
        }
        e = candidate.getValue();
        cursor = e.seq + 1;
      }
      int count = deliveries.merge(e.seq, 1, Integer::sum);
      Pending p = new Pending(e.seq, count);
      pending.put(e.seq, p);
      p.armAckWait(spec.ackWait());
      return new Delivered(session, this, e, p);
    }

    void wakeUp() {
      lock.notifyAll();
    }

    void forget(long seq) {
      Pending p = pending.remove(seq);
      if (p != null) {
        p.disarm();
      }
      deliveries.remove(seq);
      redeliver.remove(seq);
    }

    /** Settles delivery {@code p}: true if it was still the current delivery of its message. */
    boolean settle(Pending p) {
      if (pending.get(p.seq) != p) {
        return false;
      }
      pending.remove(p.seq);
      p.disarm();
      return true;
    }

    final class Pending {
      final long seq;
      final int deliveryCount;
      Scheduler.@Nullable Cancellable timer;

      Pending(long seq, int deliveryCount) {
        this.seq = seq;
        this.deliveryCount = deliveryCount;
      }

      void armAckWait(Duration wait) {
        disarm();
        timer = scheduler.schedule(wait, () -> {
          synchronized (lock) {
            if (settle(this)) {
              redeliver.addLast(seq);
              wakeUp();
            }
          }
        });
      }

      void disarm() {
        Scheduler.Cancellable t = timer;
        if (t != null) {
          t.cancel();
          timer = null;
        }
      }
    }
  }

  /** One delivery of a stored message to a worker. */
  private final class Delivered implements StoredMessage {
    private final Session session;
    private final Consumer consumer;
    private final Entry entry;
    private final Consumer.Pending pending;
    private final TransportMessage message;

    Delivered(Session session, Consumer consumer, Entry entry, Consumer.Pending pending) {
      this.session = session;
      this.consumer = consumer;
      this.entry = entry;
      this.pending = pending;
      this.message = new TransportMessage(entry.subject, null, entry.headers, entry.payload);
    }

    @Override
    public TransportMessage message() {
      return message;
    }

    @Override
    public String stream() {
      return consumer.stream.spec.name();
    }

    @Override
    public long sequence() {
      return entry.seq;
    }

    @Override
    public Instant storedAt() {
      return entry.storedAt;
    }

    @Override
    public int deliveryCount() {
      return pending.deliveryCount;
    }

    @Override
    public void ack() {
      session.checkOpen();
      synchronized (lock) {
        // as on NATS, a late ack (the message was redelivered meanwhile) still acknowledges it
        if (!consumer.stream.messages.containsKey(entry.seq)) {
          return;
        }
        consumer.forget(entry.seq);
        if (consumer.stream.spec.retention() == StreamSpec.Retention.WORK_QUEUE) {
          consumer.stream.remove(entry.seq);
        }
        consumer.wakeUp();
      }
    }

    @Override
    public void retryAfter(Duration delay) {
      session.checkOpen();
      synchronized (lock) {
        if (!consumer.settle(pending)) {
          return;
        }
        if (delay.isZero() || delay.isNegative()) {
          consumer.redeliver.addLast(entry.seq);
          consumer.wakeUp();
          return;
        }
        // held as pending until the delay is over, as NATS does with a delayed NAK
        Consumer.Pending held = consumer.new Pending(entry.seq, pending.deliveryCount);
        consumer.pending.put(entry.seq, held);
        held.timer = scheduler.schedule(delay, () -> {
          synchronized (lock) {
            if (consumer.settle(held)) {
              consumer.redeliver.addLast(entry.seq);
              consumer.wakeUp();
            }
          }
        });
      }
    }

    @Override
    public void inProgress() {
      session.checkOpen();
      synchronized (lock) {
        if (consumer.pending.get(entry.seq) == pending) {
          pending.armAckWait(consumer.spec.ackWait());
        }
      }
    }

    @Override
    public String toString() {
      return "StoredMessage{" + stream() + "#" + entry.seq + ", delivery " + deliveryCount() + "}";
    }
  }

  /** A replayed message: read only. */
  private final class Replayed implements StoredMessage {
    private final Entry entry;
    private final String stream;

    Replayed(Entry entry, String stream) {
      this.entry = entry;
      this.stream = stream;
    }

    @Override
    public TransportMessage message() {
      return new TransportMessage(entry.subject, null, entry.headers, entry.payload);
    }

    @Override
    public String stream() {
      return stream;
    }

    @Override
    public long sequence() {
      return entry.seq;
    }

    @Override
    public Instant storedAt() {
      return entry.storedAt;
    }

    @Override
    public int deliveryCount() {
      return 1;
    }

    @Override
    public void ack() {}

    @Override
    public void retryAfter(Duration delay) {}

    @Override
    public void inProgress() {}
  }

  // ================================================================== workers

  /** One worker: a thread taking the consumer's messages one at a time. */
  private final class Worker implements TransportSubscription {
    private final Consumer consumer;
    private final StoredMessageHandler handler;
    private final Session session;
    private final Thread thread;
    private final AtomicBoolean active = new AtomicBoolean(true);
    private final AtomicLong delivered = new AtomicLong();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean inHandler;

    Worker(Consumer consumer, StoredMessageHandler handler, Session session) {
      this.consumer = consumer;
      this.handler = handler;
      this.session = session;
      this.thread = new Thread(this::run, "agentbus-inmemory-worker-" + consumer.spec.name());
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      try {
        while (active.get()) {
          Delivered d;
          synchronized (lock) {
            d = consumer.next(session);
            while (d == null && active.get()) {
              lock.wait(TimeUnit.SECONDS.toMillis(1));
              d = consumer.next(session);
            }
            if (d == null) {
              return;
            }
          }
          if (!active.get()) {
            try {
              d.retryAfter(Duration.ZERO); // taken, never handled: release it at once
            } catch (TransportException closed) {
              // the transport closed: it comes back after the ack wait
            }
            return;
          }
          delivered.incrementAndGet();
          inHandler = true;
          try {
            handler.onMessage(d);
          } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError) {
              throw (Error) e;
            }
            log.warn("Worker of consumer '{}' failed on {}; it is redelivered after the ack wait",
                consumer.spec.name(), d, e);
          } finally {
            inHandler = false;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        session.workers.remove(this);
        stopped.complete(null);
      }
    }

    @Override
    public String subject() {
      return consumer.spec.filterSubject();
    }

    @Override
    public @Nullable String queueGroup() {
      return consumer.spec.name();
    }

    @Override
    public void unsubscribe() {
      if (active.compareAndSet(true, false)) {
        synchronized (lock) {
          lock.notifyAll();
        }
      }
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
      unsubscribe();
      return stopped.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .exceptionallyCompose(t -> CompletableFuture.failedFuture(new TransportException(
              "The worker of consumer '" + consumer.spec.name() + "' did not finish within "
                  + timeout.toMillis() + " ms", t, true)));
    }

    @Override
    public boolean isActive() {
      return active.get();
    }

    @Override
    public long pendingMessages() {
      return inHandler ? 1 : 0;
    }

    @Override
    public long deliveredMessages() {
      return delivered.get();
    }

    @Override
    public long droppedMessages() {
      return 0; // never dropped: an unsettled message is redelivered
    }
  }
}
