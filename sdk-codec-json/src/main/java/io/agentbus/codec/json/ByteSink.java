package io.agentbus.codec.json;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects a generator's output. Jackson buffers internally and, for any message smaller than its
 * buffer, hands over everything in one write at close; that write becomes the result with a single
 * copy, where a {@code ByteArrayOutputStream} would copy twice. Not thread-safe; one per encode.
 */
final class ByteSink extends OutputStream {
  private static final byte[] EMPTY = new byte[0];

  private byte[] buf = EMPTY;
  private int count;

  @Override
  public void write(int b) {
    ensure(count + 1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (count == 0 && buf.length == 0) {
      buf = Arrays.copyOfRange(b, off, off + len);
      count = len;
      return;
    }
    ensure(count + len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  private void ensure(int needed) {
    if (needed > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(needed, Math.max(64, buf.length * 2)));
    }
  }

  byte[] toByteArray() {
    return count == buf.length ? buf : Arrays.copyOf(buf, count);
  }
}
