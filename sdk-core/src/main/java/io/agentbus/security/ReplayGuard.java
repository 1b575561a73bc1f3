package io.agentbus.security;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Remembers the nonces of signed messages for the replay window, in bounded memory, so that a
 * message is accepted once and a copy of it never.
 *
 * <p>Nonces are kept in slices of the window (a sixteenth each) by the timestamp they were signed
 * with, which the signature covers: a copy carries the same timestamp, so it is looked up in one
 * slice, and a slice that falls out of the window is dropped whole. When more than {@code
 * maxNonces} are remembered, the oldest slice is forgotten and everything signed before its end is
 * refused from then on (a <em>shortened window</em>): memory stays bounded and no replay gets in,
 * at the price of refusing late messages only while the receiver is that busy. The window grows
 * back as time passes. Thread-safe; the check is short and runs under one lock, after the
 * signature, which is the expensive part, was verified.
 */
final class ReplayGuard {
  private static final int SLICES = 16;

  private final long windowMillis;
  private final long sliceMillis;
  private final int maxNonces;
  private final TreeMap<Long, Set<String>> slices = new TreeMap<>();
  private int size;
  /** Messages signed before this are refused: the nonces of their time were forgotten. */
  private long floorMillis = Long.MIN_VALUE;

  ReplayGuard(long windowMillis, int maxNonces) {
    this.windowMillis = windowMillis;
    this.sliceMillis = Math.max(1, windowMillis / SLICES);
    this.maxNonces = maxNonces;
  }

  /**
   * Accepts {@code nonce} signed at {@code signedAt} once: null when accepted (and remembered),
   * else why it is refused.
   */
  synchronized @Nullable String check(String nonce, long signedAt, long now) {
    if (Math.abs(now - signedAt) > windowMillis) {
      return "signed at " + signedAt + ", " + (now - signedAt) + " ms from now, outside the "
          + "replay window of " + windowMillis + " ms";
    }
    forgetBefore(now - windowMillis);
    if (signedAt < floorMillis) {
      return "signed at " + signedAt + ", before " + floorMillis + ": more than " + maxNonces
          + " signed messages arrived within the replay window, so this receiver forgot the "
          + "oldest nonces and refuses what was signed before them";
    }
    long slice = Math.floorDiv(signedAt, sliceMillis);
    Set<String> nonces = slices.get(slice);
    if (nonces != null && nonces.contains(nonce)) {
      return "nonce " + nonce + " was already received";
    }
    while (size >= maxNonces) {
      Map.Entry<Long, Set<String>> oldest = slices.pollFirstEntry();
      size -= oldest.getValue().size();
      floorMillis = Math.max(floorMillis, (oldest.getKey() + 1) * sliceMillis);
      if (signedAt < floorMillis) {
        return "signed at " + signedAt + ": more than " + maxNonces + " signed messages "
            + "arrived within " + (now - signedAt) + " ms, the shortest window this receiver can "
            + "remember";
      }
    }
    slices.computeIfAbsent(slice, s -> new HashSet<>()).add(nonce);
    size++;
    return null;
  }

  /** How many nonces are remembered now. */
  synchronized int size() {
    return size;
  }

  private void forgetBefore(long oldestInWindow) {
    while (!slices.isEmpty() && (slices.firstKey() + 1) * sliceMillis <= oldestInWindow) {
      size -= slices.pollFirstEntry().getValue().size();
    }
  }
}
