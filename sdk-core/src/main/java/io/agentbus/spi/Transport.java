package io.agentbus.spi;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Moves bytes between subjects with NATS semantics. {@link io.agentbus.MessageBus} builds on it;
 * the in-memory and NATS transports implement it, and the contract suite in {@code sdk-test}
 * ({@code TransportContract}) defines what every implementation must do. In short:
 *
 * <ul>
 *   <li>Subjects are {@code .}-separated tokens; subscriptions may use {@code *} (one token) and
 *       a final {@code >} (one or more tokens). Invalid subjects throw {@link
 *       io.agentbus.InvalidSubjectException}; payloads over {@link #maxPayload()} throw {@link
 *       io.agentbus.PayloadTooLargeException}; nothing is sent in either case.
 *   <li>A message reaches every matching plain subscription, and exactly one member of each
 *       matching queue group.
 *   <li>Per subscription, the handler is called by one thread at a time, in publish order (for one
 *       publisher). A handler may block, and may publish or make requests itself: that delays
 *       only its own subscription. Messages waiting for a subscription are bounded: past the
 *       bound the transport drops, counts, and reports a {@link ConnectionEvent.Kind#SLOW_CONSUMER}.
 *   <li>{@link #request} fails fast with {@link io.agentbus.NoRespondersException} when nobody
 *       subscribes to the subject, and with {@link io.agentbus.RequestTimeoutException} when no
 *       reply came in time.
 *   <li>A handler that throws is logged and counted; its subscription keeps receiving.
 * </ul>
 *
 * <p><b>Headers</b> are immutable values. A transport may hand one {@link io.agentbus.Headers}
 * instance to many deliveries whose headers are equal, and a caller may hand one instance to many
 * publishes; either side may remember what it derived from an instance by its identity (the bus
 * remembers the codec a {@code Content-Type} chose, the NATS transport the serialised form), so
 * that a peer sending the same headers message after message costs little. Neither side may rely
 * on the other reusing instances for correctness: equal but distinct instances must work the
 * same, only slower.
 *
 * <p>Implementations are thread-safe. No type of an underlying client library appears here.
 */
public interface Transport extends AutoCloseable {

  /**
   * Publishes {@code payload} to {@code subject}. Returns once the message is handed to the
   * transport (NATS: buffered for the socket); use {@link #flush} to wait for the server.
   *
   * @param replyTo where a receiver should send its reply, or null
   * @throws io.agentbus.TransportException if the transport is closed, or its reconnect buffer
   *     is full
   */
  void publish(String subject, @Nullable String replyTo, Headers headers, byte[] payload);

  /**
   * Subscribes {@code handler} to {@code subjectPattern}, as a member of {@code queueGroup} when
   * that is non-null. The subscription is live when this method returns: a message published
   * after it returns (and, on NATS, after a {@link #flush}) reaches it.
   */
  TransportSubscription subscribe(
      String subjectPattern, @Nullable String queueGroup, TransportHandler handler);

  /**
   * Sends a request to {@code subject} on a fresh inbox and completes with the first reply.
   * Completes exceptionally with {@link io.agentbus.NoRespondersException} or {@link
   * io.agentbus.RequestTimeoutException}. Cancelling the future releases the inbox.
   */
  CompletableFuture<TransportMessage> request(
      String subject, Headers headers, byte[] payload, Duration timeout);

  /**
   * {@link #request} for a caller that waits: returns the reply on the calling thread. The
   * default waits on {@link #request}'s future; a transport overrides it to save the thread
   * hand-offs a future needs (a timer, a completing thread), which dominate a round trip's cost.
   * {@link io.agentbus.MessageBus#request} calls this.
   *
   * @throws io.agentbus.NoRespondersException if nobody subscribes to {@code subject}
   * @throws io.agentbus.RequestTimeoutException if no reply came within {@code timeout}
   * @throws io.agentbus.TransportException if the transport closed or failed meanwhile
   * @throws InterruptedException if the calling thread was interrupted while waiting; the request
   *     is abandoned and its inbox released
   */
  default TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout) throws InterruptedException {
    return await(subject, request(subject, headers, payload, timeout));
  }

  /**
   * {@link #request} that completes only with a reply {@code filter} accepts: a reply it refuses
   * is discarded and the request keeps waiting, up to {@code timeout}, for one it accepts. This
   * is how a requester ignores a reply forged by someone who saw the request. {@link
   * io.agentbus.MessageBus} sends every request this way.
   *
   * <p>The default suits a transport that can take only the first reply: it completes with that
   * reply if the filter accepts it, and otherwise ends the request at once with {@link
   * io.agentbus.RequestTimeoutException} (no accepted reply). The in-memory and NATS transports
   * override it to keep waiting, as the contract suites check.
   */
  default CompletableFuture<TransportMessage> request(String subject, Headers headers,
      byte[] payload, Duration timeout, ReplyFilter filter) {
    CompletableFuture<TransportMessage> raw = request(subject, headers, payload, timeout);
    CompletableFuture<TransportMessage> accepted = raw.thenApply(reply -> {
      if (!filter.accept(reply)) {
        throw new io.agentbus.RequestTimeoutException(subject, timeout);
      }
      return reply;
    });
    accepted.whenComplete((r, e) -> {
      if (e instanceof java.util.concurrent.CancellationException) {
        raw.cancel(false); // releases the inbox
      }
    });
    return accepted;
  }

  /**
   * {@link #requestAndWait(String, Headers, byte[], Duration)} that returns only a reply {@code
   * filter} accepts (see {@link #request(String, Headers, byte[], Duration, ReplyFilter)}). The
   * default waits on that method's future.
   *
   * @throws io.agentbus.NoRespondersException if nobody subscribes to {@code subject}
   * @throws io.agentbus.RequestTimeoutException if no accepted reply came within {@code timeout}
   * @throws InterruptedException if the calling thread was interrupted while waiting
   */
  default TransportMessage requestAndWait(String subject, Headers headers, byte[] payload,
      Duration timeout, ReplyFilter filter) throws InterruptedException {
    return await(subject, request(subject, headers, payload, timeout, filter));
  }

  /**
   * Waits until everything published so far has reached the server (in memory: has been handed to
   * the matching subscriptions).
   *
   * @throws io.agentbus.TransportException when that takes longer than {@code timeout}
   */
  void flush(Duration timeout);

  /**
   * Stops every subscription from taking new messages, lets handlers finish what they already
   * received, flushes, and closes. The future completes when done, or exceptionally when {@code
   * timeout} passes first (the transport is closed regardless).
   */
  CompletableFuture<Void> drain(Duration timeout);

  /** Closes at once: pending messages are discarded and counted. Idempotent. */
  @Override
  void close();

  /** Largest payload accepted, in bytes (NATS: what the server announced; default 1 MiB). */
  long maxPayload();

  /** Adds a listener for connection and slow-consumer events. */
  void addConnectionListener(ConnectionListener listener);

  /**
   * Removes a listener {@linkplain #addConnectionListener added} before; nothing if it was not.
   * The default does nothing: a transport that does not implement it keeps its listeners.
   */
  default void removeConnectionListener(ConnectionListener listener) {}

  /** Counters since creation. */
  TransportStats stats();

  /**
   * Persistent streams, when this transport has them (NATS with JetStream enabled; the in-memory
   * transport): the storage of durable work queues and replay. Empty by default: core NATS
   * semantics only (at most once).
   */
  default Optional<DurableStreams> durableStreams() {
    return Optional.empty();
  }

  /**
   * A fresh subject for replies to this client alone, such as gathering the answers of several
   * responders. The default is under the shared {@code _INBOX.}; a transport whose server
   * restricts who reads which inbox (NATS with a per-identity inbox prefix) returns one under
   * its own prefix.
   */
  default String newInbox() {
    return "_INBOX." + java.util.UUID.randomUUID().toString().replace("-", "");
  }

  private static TransportMessage await(String subject, CompletableFuture<TransportMessage> f)
      throws InterruptedException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new TransportException("The request on '" + subject + "' failed: " + cause, cause,
          false);
    }
  }
}
