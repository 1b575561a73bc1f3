package io.agentbus.spi;

import io.agentbus.Headers;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The optional capability of a {@link Transport} to keep messages in persistent streams, as NATS
 * JetStream does: the storage behind durable work queues, dead letters that are kept, and replay.
 * A transport that has it returns it from {@link Transport#durableStreams()}; the same streams are
 * visible to every transport connected to the same server (NATS) or broker (in memory).
 *
 * <p>Semantics every implementation shares (the {@code DurableQueueContract} of {@code sdk-test}
 * checks them):
 *
 * <ul>
 *   <li>A stream captures every message published to one of its subjects, whether through {@link
 *       #publish} (which waits for the store) or through a plain {@link Transport#publish}.
 *   <li>{@link #publish} with a message id already stored within the stream's {@linkplain
 *       StreamSpec#duplicateWindow() duplicate window} stores nothing and reports a duplicate
 *       (the {@link io.agentbus.Headers#MESSAGE_ID} header; NATS: {@code Nats-Msg-Id}).
 *   <li>A {@link StreamSpec.Retention#WORK_QUEUE work-queue} stream removes a message when it is
 *       acknowledged. Consumers ({@link #consume}) get each stored message, redeliver it when it
 *       is not acknowledged within the ack wait or when asked to with {@link
 *       StoredMessage#retryAfter}, and count its deliveries. They never give up on a message by
 *       themselves: how many deliveries are too many is the caller's decision.
 *   <li>{@link #replay} reads history without changing it.
 *   <li>{@link #queueState} reports a stream and consumer as the store sees them: messages
 *       stored, not yet delivered, delivered and unacknowledged, and of those redelivered.
 * </ul>
 *
 * <p>Implementations are thread-safe. No type of an underlying client library appears here.
 */
public interface DurableStreams {

  /**
   * Creates the stream, or checks and updates an existing one of that name so that it has this
   * specification. Idempotent.
   *
   * @throws io.agentbus.ConfigurationException if the stream exists with settings that cannot be
   *     changed to these (another retention, overlapping subjects), naming the difference
   * @throws io.agentbus.TransportException if the store is unreachable or not enabled (NATS:
   *     {@code nats-server} started without {@code -js})
   */
  void declare(StreamSpec spec);

  /**
   * Stores a message on {@code subject} (which a declared stream must capture) and completes
   * when the store has acknowledged it, with the sequence it was stored under. Never hangs:
   * completes exceptionally with a retriable {@link io.agentbus.TransportException} after {@code
   * timeout}, and then the message may or may not have been stored; publishing it again with the
   * same {@code messageId} stores it at most once within the duplicate window.
   *
   * @param messageId the de-duplication id (NATS: {@code Nats-Msg-Id})
   */
  CompletableFuture<StoreAck> publish(
      String subject, Headers headers, byte[] payload, String messageId, Duration timeout);

  /**
   * Starts one worker on the durable consumer {@code spec} (created when it does not exist).
   * Workers of one consumer, in this process and in others, share its messages: each stored
   * message is delivered to one worker at a time. The handler is called by one thread at a time,
   * and must settle each message ({@link StoredMessage#ack()} or {@link
   * StoredMessage#retryAfter}); a message it leaves unsettled is redelivered after the ack wait.
   *
   * <p>{@link TransportSubscription#unsubscribe()} stops the worker; messages it had taken and not
   * handled are released for redelivery (at once where the store allows, else after the ack
   * wait), never dropped. {@link TransportSubscription#drain} lets it handle what it has taken
   * first.
   */
  TransportSubscription consume(ConsumerSpec spec, StoredMessageHandler handler);

  /**
   * Reads the messages of a stream that match {@link ReplaySpec#subjectFilter()}, from the given
   * start, in stream order, without consuming them; the handler is called by one thread at a time.
   * Completes, with the number of messages handed to the handler, once it has seen every message
   * that was stored when the replay began. Cancelling the future stops the replay. The settle
   * methods of replayed messages do nothing.
   */
  CompletableFuture<Long> replay(ReplaySpec spec, StoredMessageHandler handler);

  /**
   * The stream {@code stream} and its durable consumer {@code consumer} as the store sees them
   * now: messages stored, waiting, pending acknowledgement and redelivered, over every worker in
   * every process. Asks the store (NATS: one JetStream API request), so call it to observe, not
   * per message.
   *
   * @return empty when the stream does not exist (yet)
   * @throws io.agentbus.TransportException if the store is unreachable or not enabled
   * @throws UnsupportedOperationException by implementations that cannot tell (the default)
   */
  default Optional<QueueState> queueState(String stream, String consumer) {
    throw new UnsupportedOperationException(getClass().getName()
        + " cannot report the state of stream '" + stream + "' and consumer '" + consumer + "'");
  }
}
