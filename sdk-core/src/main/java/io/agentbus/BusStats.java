package io.agentbus;

/**
 * {@link MessageBus} counters since it was built. Every message the bus accepted ends in exactly
 * one of: handled, a handler failure, or a decode failure; failures are also dead-lettered, up to a
 * rate per source subject and per second, past which they are counted in {@code
 * deadLettersHeldBack} instead (so bad input cannot be amplified).
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
 */
public record BusStats(
    long published,
    long received,
    long handled,
    long handlerFailures,
    long decodeFailures,
    long deadLettered,
    long deadLetterFailures,
    long deadLettersHeldBack) {

  /** Counters with none held back. */
  public BusStats(long published, long received, long handled, long handlerFailures,
      long decodeFailures, long deadLettered, long deadLetterFailures) {
    this(published, received, handled, handlerFailures, decodeFailures, deadLettered,
        deadLetterFailures, 0);
  }
}
