package io.agentbus.spi;

/**
 * Decides whether a message that arrived on a request's reply subject is the reply to that
 * request. A reply subject can be learned by anyone who sees the request, so a transport that is
 * given a filter hands the request only a reply the filter accepts; a refused one is discarded
 * (the filter's owner counts and logs it) and the request keeps waiting for the real reply until
 * its timeout.
 *
 * <p>Called on a transport thread, once per arriving reply, possibly concurrently for different
 * requests; it must not block.
 */
@FunctionalInterface
public interface ReplyFilter {
  /** Accepts every reply: the first one wins, as a plain NATS request does. */
  ReplyFilter ANY = reply -> true;

  /** True if {@code reply} answers the request; false to discard it and keep waiting. */
  boolean accept(TransportMessage reply);
}
