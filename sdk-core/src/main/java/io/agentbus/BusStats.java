package io.agentbus;

/**
 * {@link MessageBus} counters since it was built. Every message the bus accepted ends in exactly
 * one of: handled, a handler failure, a decode failure, or refused; failures and refusals are also
 * dead-lettered, up to a rate per source subject and per second, past which they are counted in
 * {@code deadLettersHeldBack} instead (so bad input cannot be amplified).
 *
 * @param published messages published (including replies and dead letters)
 * @param received messages taken from the transport by this bus's subscriptions
 * @param handled messages whose handler returned normally
 * @param handlerFailures messages whose handler threw
 * @param decodeFailures messages that could not be decoded (malformed bytes, unknown codec)
 * @param deadLettered messages republished to the dead-letter subject
 * @param deadLetterFailures dead letters that could not be published (logged at error)
 * @param deadLettersHeldBack failures not dead-lettered because their source, or the bus, was
 *     over its dead-letter rate
 * @param refused messages refused before any handler saw them: a request whose reply subject is
 *     not an inbox, or (with signing) a message unsigned, untrusted, altered or replayed
 * @param repliesRefused replies that arrived for a request of this bus but were not its answer
 *     (another responder, another correlation id, undecodable, or refused by an interceptor) and
 *     were discarded while the request kept waiting
 * @param retries what retried requests did: attempts after the first, those that succeeded,
 *     fallbacks used and requests given up (by cause)
 */
public record BusStats(
    long published,
    long received,
    long handled,
    long handlerFailures,
    long decodeFailures,
    long deadLettered,
    long deadLetterFailures,
    long deadLettersHeldBack,
    long refused,
    long repliesRefused,
    RetryStats retries) {

  /** Checks that {@code retries} is given. */
  public BusStats {
    java.util.Objects.requireNonNull(retries, "retries");
  }

  /** Counters with no retried request. */
  public BusStats(long published, long received, long handled, long handlerFailures,
      long decodeFailures, long deadLettered, long deadLetterFailures, long deadLettersHeldBack,
      long refused, long repliesRefused) {
    this(published, received, handled, handlerFailures, decodeFailures, deadLettered,
        deadLetterFailures, deadLettersHeldBack, refused, repliesRefused, RetryStats.NONE);
  }

  /** Counters with none held back and none refused. */
  public BusStats(long published, long received, long handled, long handlerFailures,
      long decodeFailures, long deadLettered, long deadLetterFailures) {
    this(published, received, handled, handlerFailures, decodeFailures, deadLettered,
        deadLetterFailures, 0, 0, 0);
  }

  /** Counters with none refused. */
  public BusStats(long published, long received, long handled, long handlerFailures,
      long decodeFailures, long deadLettered, long deadLetterFailures, long deadLettersHeldBack) {
    this(published, received, handled, handlerFailures, decodeFailures, deadLettered,
        deadLetterFailures, deadLettersHeldBack, 0, 0);
  }
}
