package io.agentbus.spi;

import java.time.Duration;

/**
 * A durable consumer of a work-queue stream (see {@link DurableStreams#consume}).
 *
 * @param stream the stream's name
 * @param name the consumer's durable name; every worker that gives this name shares its messages
 * @param filterSubject the subject (pattern allowed) of the messages it takes
 * @param ackWait how long a delivered message may stay unsettled before it is redelivered
 * @param maxAckPending how many delivered, unsettled messages the consumer allows at once, over
 *     all its workers
 */
public record ConsumerSpec(
    String stream, String name, String filterSubject, Duration ackWait, int maxAckPending) {

  /** @throws IllegalArgumentException naming the bad value */
  public ConsumerSpec {
    StreamSpec.requireStreamName("stream name", stream);
    StreamSpec.requireStreamName("consumer name", name);
    io.agentbus.Subjects.requirePattern("filter subject of consumer " + name, filterSubject);
    if (ackWait.isNegative() || ackWait.isZero()) {
      throw new IllegalArgumentException("ackWait of consumer '" + name
          + "' must be positive, was " + ackWait);
    }
    if (maxAckPending < 1) {
      throw new IllegalArgumentException("maxAckPending of consumer '" + name
          + "' must be at least 1, was " + maxAckPending);
    }
  }
}
