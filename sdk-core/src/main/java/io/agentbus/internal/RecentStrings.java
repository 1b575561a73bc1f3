package io.agentbus.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
  /**
   * Slots per thread, a power of two: room for a working set of names, ids and types, and small
   * (about 2 KB, plus the strings) for a thread that decodes one message and ends.
   */
  private static final int SLOTS = 256;

  private static final ThreadLocal<Table> PER_THREAD = ThreadLocal.withInitial(Table::new);

  private RecentStrings() {}

  /** The strings, and their bytes to compare with, by slot. */
  public static final class Table {
    private final String[] strings = new String[SLOTS];
    private final byte[][] bytes = new byte[SLOTS][];

    private Table() {}
  }

  /** This thread's table: fetch it once per message, and pass it to {@link #ascii}. */
  public static Table table() {
    return PER_THREAD.get();
  }

  /**
   * The string of the {@code length} bytes at {@code offset}, which the caller has checked are
   * ASCII: from {@code table} if it holds it, else made and kept there.
   */
  public static String ascii(Table table, byte[] bytes, int offset, int length) {
    if (length == 0 || length > MAX_LENGTH) {
      return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
    int end = offset + length;
    // a cheap hash of the length and three bytes: a collision costs only a miss
    int h = length * 0x9E3779B1 + bytes[offset] * 31 + bytes[end - 1] * 961
        + bytes[offset + (length >> 1)];
    int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    byte[] kept = table.bytes[slot];
    if (kept != null && Arrays.equals(kept, 0, kept.length, bytes, offset, end)) {
      return table.strings[slot];
    }
    String s = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    table.strings[slot] = s;
    table.bytes[slot] = Arrays.copyOfRange(bytes, offset, end);
    return s;
  }
}
