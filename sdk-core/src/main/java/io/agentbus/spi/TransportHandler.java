package io.agentbus.spi;

/** Receives the messages of one {@link TransportSubscription}. See {@link Transport} for threading. */
@FunctionalInterface
public interface TransportHandler {
  /** Handles one message. An exception is logged and counted; the subscription goes on. */
  void onMessage(TransportMessage message) throws Exception;
}
