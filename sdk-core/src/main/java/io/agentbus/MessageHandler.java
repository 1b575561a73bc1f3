package io.agentbus;

/**
 * Handles messages delivered to a subscription. Calls for one subscription are serial and in
 * order; a handler may block and may itself send or make requests. If it throws, the failure is
 * logged, counted, and the message dead-lettered; for a request the requester gets a {@link
 * RemoteHandlerException} at once. The subscription keeps receiving.
 */
@FunctionalInterface
public interface MessageHandler {
  void onMessage(Delivery delivery) throws Exception;
}
