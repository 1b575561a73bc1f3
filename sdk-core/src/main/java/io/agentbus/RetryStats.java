package io.agentbus;

/**
 * What the retried requests of one {@link MessageBus} did (requests sent through {@link
 * RetriedRequest}, as the agent template's {@code RetryingRequests} does). A retried request that
 * ends without a reply is counted once as given up, by the error it ended with, whether or not a
 * fallback then supplied a reply; {@code fallbacks} counts those a fallback answered.
 *
 * @param retried attempts after the first that were sent
 * @param succeeded requests answered by an attempt after the first
 * @param fallbacks requests that ended without a reply and were answered by the caller's fallback
 * @param gaveUpNoResponders requests that ended without a reply, the last attempt having found no
 *     responders
 * @param gaveUpTimeout requests that ended without a reply, the last attempt (or the overall
 *     deadline) having timed out
 * @param gaveUpOther requests that ended without a reply for another reason: a responder's error,
 *     or any error not retried
 */
public record RetryStats(long retried, long succeeded, long fallbacks, long gaveUpNoResponders,
    long gaveUpTimeout, long gaveUpOther) {

  /** No retried request yet. */
  public static final RetryStats NONE = new RetryStats(0, 0, 0, 0, 0, 0);

  /** Requests that ended without a reply, for any reason. */
  public long gaveUp() {
    return gaveUpNoResponders + gaveUpTimeout + gaveUpOther;
  }
}
