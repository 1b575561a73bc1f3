package io.agentbus;

import io.agentbus.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps dead-lettering from being turned into amplification: at most {@link #PER_SOURCE_PER_SECOND}
 * dead letters a second per source (the subject the failed message came on) and {@link
 * #TOTAL_PER_SECOND} in all; the rest are counted, not republished. A dead letter carries the
 * original payload only up to what fits under the transport's max payload with its headers, and
 * always says the original's size and SHA-256 ({@link #ORIGINAL_SIZE}, {@link #ORIGINAL_DIGEST}),
 * so a message near max_payload can still be dead-lettered. Seconds are the bus scheduler's.
 * Thread-safe.
 */
final class DeadLetterGuard {
  /** Dead letters per second from one source subject. */
  static final int PER_SOURCE_PER_SECOND = 10;
  /** Dead letters per second from one bus, all sources together. */
  static final int TOTAL_PER_SECOND = 100;
  /** Sources tracked one by one; beyond, they share one allowance. */
  static final int MAX_SOURCES = 1024;
  /** Header: the original payload's size in bytes. */
  static final String ORIGINAL_SIZE = "AgentBus-Original-Size";
  /** Header: {@code sha-256=<hex>} of the original payload. */
  static final String ORIGINAL_DIGEST = "AgentBus-Original-Digest";
  /** Header: {@code true} when the dead letter carries only the start of the payload. */
  static final String TRUNCATED = "AgentBus-Truncated";
  /** Header: set when the original's headers were too large to keep. */
  static final String ORIGINAL_HEADERS = "AgentBus-Original-Headers";

  private static final String OTHER_SOURCES = "";
  // NATS header block overhead: "NATS/1.0\r\n", ": " and "\r\n" per header, final "\r\n"
  private static final int HEADER_OVERHEAD = 12;
  private static final int PER_HEADER_OVERHEAD = 4;
  private static final int MARGIN = 64;

  private final Scheduler clock;
  private final long maxPayload;
  private final Object lock = new Object();
  // guarded by lock
  private long second = Long.MIN_VALUE;
  private int total;
  private final Map<String, int[]> perSource = new LinkedHashMap<>();

  DeadLetterGuard(Scheduler clock, long maxPayload) {
    this.clock = clock;
    this.maxPayload = maxPayload;
  }

  /** Whether one more dead letter from {@code source} may go out this second. */
  boolean admit(String source) {
    long now = clock.nowMillis() / 1000;
    synchronized (lock) {
      if (now != second) {
        second = now;
        total = 0;
        perSource.clear();
      }
      if (total >= TOTAL_PER_SECOND) {
        return false;
      }
      String key = perSource.containsKey(source) || perSource.size() < MAX_SOURCES ? source
          : OTHER_SOURCES;
      int[] count = perSource.computeIfAbsent(key, k -> new int[1]);
      if (count[0] >= PER_SOURCE_PER_SECOND) {
        return false;
      }
      count[0]++;
      total++;
      return true;
    }
  }

  /** A dead letter's headers and payload, shaped to fit. */
  record Shaped(Headers headers, byte[] payload) {}

  /**
   * Adds the size and digest headers to {@code headers} and returns them with the payload to
   * send: whole when it fits under max payload with the headers, its start otherwise (marked
   * {@link #TRUNCATED}). When the original's headers alone would not leave room, only the dead
   * letter's own headers are kept.
   */
  Shaped fit(Headers.Builder headers, byte[] payload, String error, String originalSubject) {
    String digest = "sha-256=" + sha256(payload);
    headers.set(ORIGINAL_SIZE, Integer.toString(payload.length)).set(ORIGINAL_DIGEST, digest);
    long headerBytes = size(headers.build());
    if (headerBytes > maxPayload / 2) {
      headers = Headers.builder()
          .set(Headers.ERROR, PublishPath.singleLine(error))
          .set(Headers.ORIGINAL_SUBJECT, originalSubject)
          .set(ORIGINAL_SIZE, Integer.toString(payload.length))
          .set(ORIGINAL_DIGEST, digest)
          .set(ORIGINAL_HEADERS, "dropped: too large");
      headerBytes = size(headers.build());
    }
    long room = maxPayload - headerBytes - MARGIN - (TRUNCATED.length() + 10);
    if (payload.length <= room) {
      return new Shaped(headers.build(), payload);
    }
    headers.set(TRUNCATED, "true");
    byte[] start = new byte[(int) Math.max(0, room)];
    System.arraycopy(payload, 0, start, 0, start.length);
    return new Shaped(headers.build(), start);
  }

  private static long size(Headers h) {
    long n = HEADER_OVERHEAD;
    for (Map.Entry<String, List<String>> e : h.asMap().entrySet()) {
      for (String v : e.getValue()) {
        n += e.getKey().getBytes(StandardCharsets.UTF_8).length
            + v.getBytes(StandardCharsets.UTF_8).length + PER_HEADER_OVERHEAD;
      }
    }
    return n;
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
