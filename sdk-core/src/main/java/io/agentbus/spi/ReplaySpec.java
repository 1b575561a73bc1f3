package io.agentbus.spi;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What to read back from a stream (see {@link DurableStreams#replay}): the messages matching
 * {@code subjectFilter}, starting at the first stored at or after {@code since} when that is
 * non-null, else at stream sequence {@code fromSequence}.
 *
 * @param stream the stream's name
 * @param subjectFilter subject or pattern of the messages wanted
 * @param since the earliest store time wanted, or null to start by sequence
 * @param fromSequence the first stream sequence wanted (1 is the beginning); ignored when {@code
 *     since} is set
 */
public record ReplaySpec(
    String stream, String subjectFilter, @Nullable Instant since, long fromSequence) {

  /** @throws IllegalArgumentException naming the bad value */
  public ReplaySpec {
    StreamSpec.requireStreamName("stream name", stream);
    io.agentbus.Subjects.requirePattern("replay subject filter", subjectFilter);
    if (fromSequence < 1) {
      throw new IllegalArgumentException("fromSequence must be at least 1, was " + fromSequence);
    }
  }
}
