package io.agentbus.codec.json;

import io.agentbus.CodecException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation (Unicode 15, table 3-7), because Jackson's parser decodes overlong forms,
 * encoded surrogates and code points above U+10FFFF into garbage instead of failing, and a message
 * must be rejected rather than silently altered.
 *
 * <p>Also rejects NUL bytes: JSON never has a raw U+0000 (inside strings it is escaped), and a NUL
 * byte is the mark of UTF-16 or UTF-32 text, which Jackson would otherwise auto-detect and accept.
 */
final class Utf8 {
  /** Eight bytes of an array as one long, for checking them at once (also {@link FastJsonReader}). */
  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** 0x01 in every byte of a long. */
  static final long ONES = 0x0101010101010101L;
  /** The high bit of every byte of a long. */
  static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8() {}

  /**
   * @throws CodecException naming the byte offset and the problem
   */
  static void validate(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      // eight bytes at a time while all are in 0x01..0x7F: a zero byte borrows into its high bit
      while (i + 8 <= n) {
        long w = (long) LONGS.get(b, i);
        if ((((w - ONES) | w) & HIGH_BITS) != 0) {
          break;
        }
        i += 8;
      }
      if (i >= n) {
        return;
      }
      int c = b[i] & 0xff;
      if (c >= 0x01 && c < 0x80) {
        i++;
      } else if (c == 0) {
        throw new CodecException("JSON message has a NUL byte at byte " + i + ": JSON writes U+0000"
            + " as \\u0000, so this is not UTF-8 JSON (UTF-16, UTF-32 or binary data?)");
      } else {
        i = multiByte(b, i, c);
      }
    }
  }

  /** Validates the sequence starting with lead byte {@code c} at {@code i}; returns its end. */
  private static int multiByte(byte[] b, int i, int c) {
    int length;
    int min2 = 0x80;
    int max2 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) {
        min2 = 0xa0; // below is an overlong form
      } else if (c == 0xed) {
        max2 = 0x9f; // above are the surrogates U+D800..U+DFFF
      }
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) {
        min2 = 0x90; // below is an overlong form
      } else if (c == 0xf4) {
        max2 = 0x8f; // above is beyond U+10FFFF
      }
    } else if (c >= 0x80 && c <= 0xbf) {
      throw invalid(i, c, "a continuation byte without a lead byte");
    } else if (c == 0xc0 || c == 0xc1) {
      throw invalid(i, c, "an overlong encoding");
    } else {
      throw invalid(i, c, "a byte that never appears in UTF-8");
    }
    if (i + length > b.length) {
      throw invalid(i, c, "a multi-byte sequence cut off by the end of the input");
    }
    int c2 = b[i + 1] & 0xff;
    if (c2 < min2 || c2 > max2) {
      String problem;
      if (c2 < 0x80 || c2 > 0xbf) {
        problem = "a multi-byte sequence whose second byte 0x" + hex(c2)
            + " is not a continuation byte";
      } else if (c == 0xed) {
        problem = "an encoded UTF-16 surrogate (U+D800..U+DFFF), which UTF-8 does not allow";
      } else if (c == 0xf4) {
        problem = "a code point above U+10FFFF";
      } else {
        problem = "an overlong encoding";
      }
      throw invalid(i, c, problem);
    }
    for (int k = 2; k < length; k++) {
      int ck = b[i + k] & 0xff;
      if (ck < 0x80 || ck > 0xbf) {
        throw invalid(i, c, "a multi-byte sequence whose byte " + (k + 1) + " (0x" + hex(ck)
            + ") is not a continuation byte");
      }
    }
    return i + length;
  }

  private static CodecException invalid(int offset, int c, String problem) {
    return new CodecException("Invalid UTF-8 in JSON message at byte " + offset + " (0x" + hex(c)
        + "): " + problem);
  }

  private static String hex(int c) {
    return String.format("%02X", c);
  }
}
