package io.agentbus;

import io.agentbus.spi.ConsumerSpec;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.ReplaySpec;
import io.agentbus.spi.StoreAck;
import io.agentbus.spi.StoredMessage;
import io.agentbus.spi.StoredMessageHandler;
import io.agentbus.spi.StreamSpec;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@link DurableStreams} for sdk-core's own tests: records declarations, stores, consumers and
 * replays; stores nothing itself. A replay hands over the messages a test {@linkplain #keep kept};
 * a consumer's worker gets what a test {@linkplain RecordingTransport.Worker#deliver delivers}.
 * Declarations and stores fail when told to.
 */
final class RecordingStreams implements DurableStreams {

  /** One {@link #publish} call. */
  record Store(String subject, Headers headers, byte[] payload, String messageId,
      Duration timeout) {}

  final List<StreamSpec> declared = new CopyOnWriteArrayList<>();
  final List<Store> stored = new CopyOnWriteArrayList<>();
  final List<ConsumerSpec> consumers = new CopyOnWriteArrayList<>();
  final List<RecordingTransport.Worker<StoredMessage>> workers = new CopyOnWriteArrayList<>();
  final List<ReplaySpec> replays = new CopyOnWriteArrayList<>();
  private final List<StoredMessage> kept = new CopyOnWriteArrayList<>();
  private volatile @Nullable RuntimeException declareFailure;
  private volatile @Nullable Throwable storeFailure;

  /** The next declaration throws {@code failure}; those after it succeed. */
  void failNextDeclare(RuntimeException failure) {
    this.declareFailure = failure;
  }

  /** Every store from now on completes exceptionally with {@code failure}. */
  void failStores(Throwable failure) {
    this.storeFailure = failure;
  }

  /** Adds {@code m} to what replays read. */
  void keep(StoredMessage m) {
    kept.add(m);
  }

  @Override
  public void declare(StreamSpec spec) {
    RuntimeException failure = declareFailure;
    if (failure != null) {
      declareFailure = null;
      throw failure;
    }
    declared.add(spec);
  }

  @Override
  public CompletableFuture<StoreAck> publish(String subject, Headers headers, byte[] payload,
      String messageId, Duration timeout) {
    stored.add(new Store(subject, headers, payload, messageId, timeout));
    Throwable failure = storeFailure;
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    String stream = declared.stream().filter(s -> s.subjects().contains(subject))
        .map(StreamSpec::name).findFirst().orElse("undeclared");
    return CompletableFuture.completedFuture(new StoreAck(stream, stored.size(), false));
  }

  @Override
  public TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler) {
    consumers.add(spec);
    RecordingTransport.Worker<StoredMessage> w =
        new RecordingTransport.Worker<>(spec.filterSubject(), spec.name(), handler::onMessage);
    workers.add(w);
    return w;
  }

  @Override
  public CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler) {
    replays.add(spec);
    long n = 0;
    try {
      for (StoredMessage m : kept) {
        if (m.stream().equals(spec.stream()) && m.sequence() >= spec.fromSequence()
            && Subjects.matches(spec.subjectFilter(), m.message().subject())) {
          handler.onMessage(m);
          n++;
        }
      }
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.completedFuture(n);
  }

  /** A stored message that counts how it was settled. */
  static final class Kept implements StoredMessage {
    static final Instant STORED_AT = Instant.parse("2025-12-05T14:30:00Z");
    private final TransportMessage message;
    private final String stream;
    private final long sequence;
    private final int deliveryCount;
    final AtomicInteger acks = new AtomicInteger();
    final List<Duration> retries = new CopyOnWriteArrayList<>();

    Kept(TransportMessage message, String stream, long sequence, int deliveryCount) {
      this.message = message;
      this.stream = stream;
      this.sequence = sequence;
      this.deliveryCount = deliveryCount;
    }

    @Override
    public TransportMessage message() {
      return message;
    }

    @Override
    public String stream() {
      return stream;
    }

    @Override
    public long sequence() {
      return sequence;
    }

    @Override
    public Instant storedAt() {
      return STORED_AT;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public void ack() {
      acks.incrementAndGet();
    }

    @Override
    public void retryAfter(Duration delay) {
      retries.add(delay);
    }

    @Override
    public void inProgress() {}
  }
}
