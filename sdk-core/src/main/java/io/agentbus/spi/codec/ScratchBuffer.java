package io.agentbus.spi.codec;

import org.jspecify.annotations.Nullable;

/**
 * One reusable byte buffer per thread, for encoders that write a message into a buffer and copy
 * out exactly its bytes: an encode then allocates its result only, not a buffer as well. Not part
 * of the API.
 *
 * <p>A buffer is {@link #take taken} and {@link #giveBack given back}; while it is out, another
 * take on the same thread gets a new one, so a nested encode is safe. A buffer that grew beyond
 * {@link #KEEP_LIMIT} for one large message is not kept.
 */
public final class ScratchBuffer {
  /** Size of a new buffer: most messages fit. */
  public static final int INITIAL_SIZE = 512;
  /** Largest buffer kept for the next message. */
  public static final int KEEP_LIMIT = 64 * 1024;

  private static final ThreadLocal<ScratchBuffer> PER_THREAD =
      ThreadLocal.withInitial(ScratchBuffer::new);

  private byte @Nullable [] kept;

  private ScratchBuffer() {}

  /** This thread's buffer (its contents are garbage), or a new one if it is out. */
  public static byte[] take() {
    ScratchBuffer s = PER_THREAD.get();
    byte[] b = s.kept;
    if (b == null) {
      return new byte[INITIAL_SIZE];
    }
    s.kept = null;
    return b;
  }

  /** Gives a buffer back for the next {@link #take} on this thread; the caller drops it. */
  public static void giveBack(byte[] buffer) {
    if (buffer.length <= KEEP_LIMIT) {
      PER_THREAD.get().kept = buffer;
    }
  }
}
