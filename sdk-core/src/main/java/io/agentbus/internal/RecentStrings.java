package io.agentbus.internal;

import java.nio.charset.StandardCharsets;

/**
 * The short ASCII strings a thread decoded last, for decoders: member names, agent ids, message
 * types and many values repeat from message to message, and a decoder that finds one here
 * allocates nothing for it (and its hash code, computed once, is cached for the lookups that
 * follow). Not part of the API.
 *
 * <p>A table per thread, direct-mapped: a string that is not there replaces the one in its slot,
 * so the table never grows and costs a miss only a hash and a comparison.
 */
public final class RecentStrings {
  /** Longest string kept; longer ones are made afresh every time. */
  public static final int MAX_LENGTH = 32;
  private static final int SLOTS = 512; // a power of two

  private static final ThreadLocal<String[]> PER_THREAD =
      ThreadLocal.withInitial(() -> new String[SLOTS]);

  private RecentStrings() {}

  /** This thread's table: fetch it once per message, and pass it to {@link #ascii}. */
  public static String[] table() {
    return PER_THREAD.get();
  }

  /**
   * The string of the {@code length} bytes at {@code offset}, which the caller has checked are
   * ASCII: from {@code table} if it holds it, else made and kept there.
   */
  public static String ascii(String[] table, byte[] bytes, int offset, int length) {
    if (length > MAX_LENGTH) {
      return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
    int end = offset + length;
    int h = length;
    for (int i = offset; i < end; i++) {
      h = 31 * h + bytes[i];
    }
    int slot = (h ^ (h >>> 15)) & (SLOTS - 1);
    String s = table[slot];
    if (s != null && s.length() == length && matches(s, bytes, offset)) {
      return s;
    }
    s = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    table[slot] = s;
    return s;
  }

  private static boolean matches(String s, byte[] bytes, int offset) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) != bytes[offset + i]) {
        return false;
      }
    }
    return true;
  }
}
