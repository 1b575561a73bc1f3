package io.agentbus.spi;

/** Receives the messages of {@link DurableStreams#consume} or {@link DurableStreams#replay}. */
@FunctionalInterface
public interface StoredMessageHandler {
  /**
   * Handles one stored message; for {@code consume}, settles it. An exception is logged and
   * counted, and the message is redelivered after the ack wait.
   */
  void onMessage(StoredMessage message) throws Exception;
}
