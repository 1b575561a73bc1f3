package io.agentbus.spi.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The short ASCII strings a thread decoded last, for decoders: member names, agent ids, message
 * types and many values repeat from message to message, and a decoder that finds one here
 * allocates nothing for it (and its hash code, computed once, is cached for the lookups that
 * follow). Not part of the API.
 *
 * <p>A table per thread of {@value #SETS} sets of two slots: a string that is not there goes into
 * the first slot of its set and moves the one there to the second, so the table never grows, two
 * strings of one set are both kept, and a miss costs a hash, two comparisons and the new string.
 * The set comes from the string's length and its first and last eight bytes (four for shorter
 * strings), mixed by a multiplication. A first version hashed the length and three bytes into
 * one slot per string: {@code content} and {@code context} shared a slot, and so did five other
 * pairs of the seed's resource response, which evicted each other on every decode (1,472 bytes
 * allocated per decode, against 640 with sets of two and this hash).
 */
public final class RecentStrings {
  /** Longest string kept; longer ones are made afresh every time. */
  public static final int MAX_LENGTH = 32;
  /**
   * Sets per thread, a power of two: room for a working set of names, ids and types, and small
   * (about 2 KB, plus the strings) for a thread that decodes one message and ends.
   */
  static final int SETS = 128;
  private static final int SET_BITS = Integer.numberOfTrailingZeros(SETS);

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private static final ThreadLocal<Table> PER_THREAD = ThreadLocal.withInitial(Table::new);

  private RecentStrings() {}

  /** The strings, and their bytes to compare with: slots {@code 2 * set} and {@code 2 * set + 1}. */
  public static final class Table {
    private final String[] strings = new String[2 * SETS];
    private final byte[][] bytes = new byte[2 * SETS][];

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
    int first = set(bytes, offset, length) << 1;
    byte[][] kept = table.bytes;
    byte[] k0 = kept[first];
    if (k0 != null && Arrays.equals(k0, 0, k0.length, bytes, offset, end)) {
      return table.strings[first];
    }
    byte[] k1 = kept[first + 1];
    if (k1 != null && Arrays.equals(k1, 0, k1.length, bytes, offset, end)) {
      return table.strings[first + 1];
    }
    String s = new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    kept[first + 1] = k0;
    table.strings[first + 1] = table.strings[first];
    kept[first] = Arrays.copyOfRange(bytes, offset, end);
    table.strings[first] = s;
    return s;
  }

  /** The set of the {@code length} (1 to {@value #MAX_LENGTH}) bytes at {@code offset}. */
  static int set(byte[] bytes, int offset, int length) {
    long x;
    if (length >= 8) {
      x = (long) LONGS.get(bytes, offset) * 0x9E3779B97F4A7C15L
          + (long) LONGS.get(bytes, offset + length - 8);
    } else if (length >= 4) {
      x = ((long) (int) INTS.get(bytes, offset) << 32)
          | ((int) INTS.get(bytes, offset + length - 4) & 0xFFFF_FFFFL);
    } else {
      x = (bytes[offset] << 16) | (bytes[offset + (length >> 1)] << 8) | bytes[offset + length - 1];
    }
    return (int) (((x + length) * 0xC2B2AE3D27D4EB4FL) >>> (64 - SET_BITS));
  }
}
