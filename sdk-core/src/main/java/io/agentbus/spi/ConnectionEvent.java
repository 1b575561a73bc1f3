package io.agentbus.spi;

import org.jspecify.annotations.Nullable;

/**
 * What happened to a transport's connection.
 *
 * @param kind what happened
 * @param detail a human-readable description (server address, error text, ...)
 * @param subject for {@link Kind#SLOW_CONSUMER}: the subscription's subject; otherwise null
 */
public record ConnectionEvent(Kind kind, String detail, @Nullable String subject) {

  /** The kinds of event. */
  public enum Kind {
    CONNECTED,
    DISCONNECTED,
    RECONNECTED,
    /** Subscriptions were re-established after a reconnect. */
    RESUBSCRIBED,
    /** The server is shutting down gracefully and asked clients to move. */
    LAME_DUCK,
    /** A subscription fell behind and messages were dropped. */
    SLOW_CONSUMER,
    /** An asynchronous error reported by the server or client. */
    ERROR,
    /**
     * The server refused the client's credentials when it tried to reconnect: until a later
     * {@link #RECONNECTED}, nothing is sent or received. The transport keeps trying (reading a
     * credentials file anew on each attempt) until the server accepts them, or gives up with
     * {@link #CLOSED}. Sent once per such episode, not once per attempt.
     */
    AUTHENTICATION_FAILED,
    CLOSED
  }

  public static ConnectionEvent of(Kind kind, String detail) {
    return new ConnectionEvent(kind, detail, null);
  }
}
