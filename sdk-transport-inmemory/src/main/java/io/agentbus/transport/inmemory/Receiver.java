package io.agentbus.transport.inmemory;

import io.agentbus.spi.TransportMessage;

/** Something a published message can be handed to: a subscription or a transport's inbox. */
interface Receiver {
  /** Taken: it will be handled (or was, for an inbox). */
  int ACCEPTED = 0;
  /** The receiver is live but full: the message was dropped and counted (slow consumer). */
  int DROPPED = 1;
  /** The receiver no longer takes messages (unsubscribed, draining, closed): try someone else. */
  int REJECTED = 2;

  /** Offers a message; called on the publisher's thread. Never blocks, never throws. */
  int offer(TransportMessage message);

  /** True for transport-internal receivers (reply inboxes), left out of subscription counts. */
  default boolean isInternal() {
    return false;
  }
}
