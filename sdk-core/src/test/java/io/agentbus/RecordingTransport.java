package io.agentbus;

import io.agentbus.spi.ConnectionListener;
import io.agentbus.spi.DurableStreams;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportStats;
import io.agentbus.spi.TransportSubscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} for sdk-core's own tests, which cannot use the in-memory transport: it
 * records every publish and request, hands a test's {@link TransportMessage} to a subscription's
 * handler on the test's thread, answers requests with what the test gave it, and fails publishes
 * or subscriptions when told to. Durable streams only when built {@link #withStreams}.
 */
final class RecordingTransport implements Transport {

  /** One message as the transport was asked to send it. */
  record Sent(String subject, @Nullable String replyTo, Headers headers, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /** Everything published, in order. */
  final List<Sent> published = new CopyOnWriteArrayList<>();
  /** Every request sent (replyTo is null: the transport owns the inbox). */
  final List<Sent> requests = new CopyOnWriteArrayList<>();
  final List<Worker<TransportMessage>> subscriptions = new CopyOnWriteArrayList<>();
  private final @Nullable RecordingStreams streams;
  private final String name;
  private volatile @Nullable RuntimeException publishFailure;
  private volatile @Nullable String failingSubject;
  private volatile int subscriptionsBeforeFailure = Integer.MAX_VALUE;
  private volatile @Nullable RuntimeException subscribeFailure;
  private volatile CompletableFuture<TransportMessage> nextReply = new CompletableFuture<>();

  private RecordingTransport(@Nullable RecordingStreams streams, String name) {
    this.streams = streams;
    this.name = name;
  }

  /** Core semantics only: {@link #durableStreams()} is empty. */
  static RecordingTransport coreOnly() {
    return new RecordingTransport(null, "core-only");
  }

  static RecordingTransport withStreams(RecordingStreams streams) {
    return new RecordingTransport(streams, "recording-with-streams");
  }

  /** Publishes to {@code subject} (to every subject when null) throw {@code failure}. */
  void failPublishes(@Nullable String subject, RuntimeException failure) {
    this.failingSubject = subject;
    this.publishFailure = failure;
  }

  /** Subscriptions after the first {@code succeeding} throw {@code failure}. */
  void failSubscriptionsAfter(int succeeding, RuntimeException failure) {
    this.subscriptionsBeforeFailure = succeeding;
    this.subscribeFailure = failure;
  }

  /** What the next requests complete with (a pending future until a test says otherwise). */
  void answerRequestsWith(CompletableFuture<TransportMessage> reply) {
    this.nextReply = reply;
  }

  void answerRequestsWith(TransportMessage reply) {
    answerRequestsWith(CompletableFuture.completedFuture(reply));
  }

  @Override
  public void publish(String subject, @Nullable String replyTo, Headers headers, byte[] payload) {
    RuntimeException failure = publishFailure;
    String only = failingSubject;
    if (failure != null && (only == null || only.equals(subject))) {
      throw failure;
    }
    published.add(new Sent(subject, replyTo, headers, payload));
  }

  /** The messages published to {@code subject}, in order. */
  List<Sent> publishedTo(String subject) {
    return published.stream().filter(s -> s.subject().equals(subject)).toList();
  }

  @Override
  public TransportSubscription subscribe(String subjectPattern, @Nullable String queueGroup,
      TransportHandler handler) {
    RuntimeException failure = subscribeFailure;
    if (failure != null && subscriptions.size() >= subscriptionsBeforeFailure) {
      throw failure;
    }
    Worker<TransportMessage> w = new Worker<>(subjectPattern, queueGroup, handler::onMessage);
    subscriptions.add(w);
    return w;
  }

  @Override
  public CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout) {
    requests.add(new Sent(subject, null, headers, payload));
    return nextReply;
  }

  @Override
  public void flush(Duration timeout) {}

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {}

  @Override
  public long maxPayload() {
    return 1 << 20;
  }

  @Override
  public void addConnectionListener(ConnectionListener listener) {}

  @Override
  public TransportStats stats() {
    return new TransportStats(0, 0, 0, 0, 0, 0);
  }

  @Override
  public Optional<DurableStreams> durableStreams() {
    return Optional.ofNullable(streams);
  }

  @Override
  public String toString() {
    return name;
  }

  /** What a subscription or a stream consumer hands a message to. */
  @FunctionalInterface
  interface Receiver<T> {
    void onMessage(T message) throws Exception;
  }

  /**
   * A subscription (or a durable consumer's worker) whose messages a test hands in with {@link
   * #deliver}, on the test's own thread.
   */
  static final class Worker<T> implements TransportSubscription {
    private final String subject;
    private final @Nullable String queueGroup;
    private final Receiver<T> handler;
    private volatile boolean active = true;

    Worker(String subject, @Nullable String queueGroup, Receiver<T> handler) {
      this.subject = subject;
      this.queueGroup = queueGroup;
      this.handler = handler;
    }

    void deliver(T message) throws Exception {
      handler.onMessage(message);
    }

    @Override
    public String subject() {
      return subject;
    }

    @Override
    public @Nullable String queueGroup() {
      return queueGroup;
    }

    @Override
    public void unsubscribe() {
      active = false;
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
      active = false;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isActive() {
      return active;
    }

    @Override
    public long pendingMessages() {
      return 0;
    }

    @Override
    public long deliveredMessages() {
      return 0;
    }

    @Override
    public long droppedMessages() {
      return 0;
    }
  }
}
