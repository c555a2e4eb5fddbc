package io.pinbroker.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Little-endian writes into a frame-sized buffer; overflowing the frame cap throws. */
final class WireWriter {
  private final ByteBuffer buf;

  WireWriter(ByteBuffer target) {
    this.buf = target.order(ByteOrder.LITTLE_ENDIAN);
  }

  WireWriter u8(int v) {
    buf.put((byte) v);
    return this;
  }

  WireWriter u16(int v) {
    buf.putShort((short) v);
    return this;
  }

  WireWriter u32(int v) {
    buf.putInt(v);
    return this;
  }

  WireWriter u64(long v) {
    buf.putLong(v);
    return this;
  }

  WireWriter string(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long");
    }
    buf.putShort((short) bytes.length).put(bytes);
    return this;
  }

  static int stringBytes(String s) {
    return 2 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  int position() {
    return buf.position();
  }

  void putU32At(int index, int v) {
    buf.putInt(index, v);
  }
}
