package io.agentbus.cli;

import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.MessageType;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dashboard shows, kept up to date from the bus: agents (from an {@link
 * AgentSource}), who talks to whom, message rates by type, request latencies (a request's
 * reply-to inbox seen again), recent messages, dead letters and durable queues (read every few
 * seconds through the JetStream API). Thread-safe; {@link #snapshot()} is what the page receives.
 */
final class MeshModel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshModel.class);
  static final int BUCKET_SECONDS = 10;
  static final int BUCKETS = 30; // five minutes
  private static final int RECENT = 40;
  private static final int LATENCY_SAMPLES = 1000;

  private final Session session;
  private final AgentSource directory;
  private final String namespace;
  private final Object lock = new Object();
  // guarded by lock
  private final Map<String, long[]> countsByType = new TreeMap<>();
  private long bucketEpoch; // second / BUCKET_SECONDS of bucket 0's end
  private final Map<String, Long> edges = new HashMap<>();
  private final Map<String, Long> totals = new TreeMap<>();
  private final Deque<Map<String, @Nullable Object>> recent = new ArrayDeque<>();
  private final Map<String, Long> openRequests = new HashMap<>();
  private final Deque<Long> latenciesMicros = new ArrayDeque<>();
  private long messages;
  private long undecodable;
  private List<Map<String, @Nullable Object>> deadLetters = List.of();
  private @Nullable String deadLetterStream;
  private List<Map<String, @Nullable Object>> queues = List.of();

  private final List<TransportSubscription> subscriptions = new ArrayList<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "agentbus-dashboard-poller");
    t.setDaemon(true);
    return t;
  });

  MeshModel(Session session, AgentSource directory) {
    this.session = session;
    this.directory = directory;
    this.namespace = session.subjects().namespace();
  }

  void start(Duration storesEvery) {
    directory.start(() -> {});
    try {
      directory.catchUp(session); // kept heartbeats show the agents before they next speak
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    subscriptions.add(session.transport().subscribe(namespace + ".>", null, this::observe));
    subscriptions.add(session.transport().subscribe("_INBOX.>", null, this::observeReply));
    session.flush();
    poller.scheduleWithFixedDelay(this::pollStores, 0, storesEvery.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void observe(TransportMessage raw) {
    long nowMillis = System.currentTimeMillis();
    AgentMessage m;
    try {
      m = session.codecFor(raw).decode(raw.payload());
    } catch (CodecException e) {
      synchronized (lock) {
        undecodable++;
      }
      return;
    }
    Route route = Route.of(namespace, raw.subject());
    String type = m.messageType().wireName();
    synchronized (lock) {
      messages++;
      advance(nowMillis);
      countsByType.computeIfAbsent(type, t -> new long[BUCKETS])[BUCKETS - 1]++;
      totals.merge(type, 1L, Long::sum);
      if (!m.messageType().equals(MessageType.HEARTBEAT)) {
        String to = m.toAgent() != null ? m.toAgent()
            : route.kind().equals("team") || route.kind().equals("queue")
                ? route.kind() + ":" + route.target() : "*";
        edges.merge(m.fromAgent() + "\u0000" + to, 1L, Long::sum);
      }
      if (raw.replyTo() != null && route.kind().equals("direct")) { // not a stream's acks
        openRequests.put(raw.replyTo(), System.nanoTime());
        if (openRequests.size() > 10_000) {
          openRequests.clear(); // unanswered requests must not grow without bound
        }
      }
      if (!m.messageType().equals(MessageType.HEARTBEAT)) { // those show as agents and rates
        recent.addFirst(MessageLines.json(Instant.ofEpochMilli(nowMillis), raw.subject(), route,
            m));
        while (recent.size() > RECENT) {
          recent.removeLast();
        }
      }
    }
  }

  /**
   * A reply seen on {@code _INBOX.>} ends its request's timing. The request was seen on another
   * subscription, whose handler may run after this one on a busy machine: that request is then
   * not sampled (and is dropped with the other unanswered ones past 10,000).
   */
  private void observeReply(TransportMessage raw) {
    long now = System.nanoTime();
    synchronized (lock) {
      Long start = openRequests.remove(raw.subject());
      if (start != null) {
        latenciesMicros.addLast((now - start) / 1000);
        while (latenciesMicros.size() > LATENCY_SAMPLES) {
          latenciesMicros.removeFirst();
        }
      }
    }
  }

  /** Shifts the rate buckets so that the last one is the current 10 s. */
  private void advance(long nowMillis) {
    long epoch = nowMillis / 1000 / BUCKET_SECONDS;
    long shift = bucketEpoch == 0 ? 0 : Math.min(BUCKETS, epoch - bucketEpoch);
    if (shift > 0) {
      for (long[] series : countsByType.values()) {
        System.arraycopy(series, (int) shift, series, 0, BUCKETS - (int) shift);
        java.util.Arrays.fill(series, BUCKETS - (int) shift, BUCKETS, 0);
      }
    }
    bucketEpoch = epoch;
  }

  private void pollStores() {
    try {
      List<Map<String, @Nullable Object>> q = QueuesCommand.rows(session);
      List<Map<String, @Nullable Object>> dl = List.of();
      String stream = null;
      try {
        DeadLetterStore store = DeadLetterStore.open(session);
        stream = store.stream();
        dl = store.list(100).stream().map(DeadLetterStore.Entry::json).toList();
      } catch (CliException noStream) {
        // nothing kept: the page says so
      }
      synchronized (lock) {
        queues = q;
        deadLetters = dl;
        deadLetterStream = stream;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Could not read queues and dead letters: {}", e.toString());
    }
  }

  /** Replays one dead letter (the page's button) and refreshes the list. */
  Map<String, @Nullable Object> replay(long seq) throws InterruptedException {
    Map<String, @Nullable Object> outcome = DeadLetterStore.open(session).replay(seq, false);
    poller.execute(this::pollStores);
    return outcome;
  }

  /** Everything the page shows, as JSON-ready maps. */
  Map<String, @Nullable Object> snapshot() {
    Instant now = Instant.now();
    Map<String, @Nullable Object> s = new LinkedHashMap<>();
    s.put("namespace", namespace);
    s.put("time", now.toString());
    s.put("agents", directory.agents(now).stream().map(AgentsCommand::json).toList());
    synchronized (lock) {
      advance(now.toEpochMilli());
      s.put("messages", messages);
      s.put("undecodable", undecodable);
      Map<String, @Nullable Object> rates = new LinkedHashMap<>();
      Map<String, List<Long>> series = new LinkedHashMap<>();
      countsByType.forEach((type, counts) -> {
        // per second over the last full 10 s bucket and the current one
        rates.put(type, (counts[BUCKETS - 1] + counts[BUCKETS - 2]) / (2.0 * BUCKET_SECONDS));
        List<Long> l = new ArrayList<>(BUCKETS);
        for (long c : counts) {
          l.add(c);
        }
        series.put(type, l);
      });
      s.put("rates", rates);
      s.put("totals", new LinkedHashMap<>(totals));
      s.put("series", series);
      s.put("bucket_seconds", BUCKET_SECONDS);
      List<Map<String, Object>> e = new ArrayList<>();
      edges.forEach((key, count) -> {
        int sep = key.indexOf('\u0000');
        e.add(Map.of("from", key.substring(0, sep), "to", key.substring(sep + 1), "count", count));
      });
      s.put("edges", e);
      s.put("latency_ms", percentiles());
      s.put("recent", List.copyOf(recent));
      s.put("dead_letter_stream", deadLetterStream);
      s.put("dead_letters", deadLetters);
      s.put("queues", queues);
    }
    return s;
  }

  private Map<String, Object> percentiles() {
    long[] sorted = latenciesMicros.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("samples", sorted.length);
    if (sorted.length > 0) {
      for (int q : new int[] {50, 90, 99}) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q / 100.0 * sorted.length) - 1);
        p.put("p" + q, sorted[Math.max(0, i)] / 1000.0);
      }
    }
    return p;
  }

  @Override
  public void close() {
    poller.shutdownNow();
    subscriptions.forEach(TransportSubscription::unsubscribe);
    directory.close();
  }
}
