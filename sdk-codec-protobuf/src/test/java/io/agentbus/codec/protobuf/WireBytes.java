package io.agentbus.codec.protobuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-built protobuf bytes, for input the codec itself would never write. */
final class WireBytes {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static WireBytes create() {
    return new WireBytes();
  }

  /** The required envelope fields: from_agent "a", message_type "heartbeat", timestamp 0. */
  static WireBytes envelope() {
    return create().string(1, "a").string(3, "heartbeat").tag(5, VARINT).varint(0);
  }

  WireBytes tag(int field, int wireType) {
    return varint(((long) field << 3) | wireType);
  }

  WireBytes varint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  WireBytes raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  WireBytes fixed64(long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  WireBytes bytes(int field, byte[] b) {
    tag(field, LEN).varint(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  WireBytes string(int field, String s) {
    return bytes(field, s.getBytes(StandardCharsets.UTF_8));
  }

  WireBytes message(int field, WireBytes inner) {
    return bytes(field, inner.toByteArray());
  }

  WireBytes append(WireBytes more) {
    byte[] b = more.toByteArray();
    out.write(b, 0, b.length);
    return this;
  }

  /**
   * A Field in AgentMessage.content (field 4) or Struct.fields (field 1): the key, then {@code
   * kind}, the value field(s).
   */
  WireBytes field(int field, String key, WireBytes kind) {
    return message(field, create().string(1, key).append(kind));
  }

  /** The string_value kind of a Field or Value (field 6). */
  static WireBytes stringKind(String s) {
    return create().string(6, s);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  int size() {
    return out.size();
  }
}
