package io.pinbroker.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian encodings for keys and values in tests. */
final class Bytes {
  private Bytes() {}

  static byte[] u32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  static int readU32(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** {@code size} bytes, each {@code fill}. */
  static byte[] filled(int size, int fill) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  /** Four copies of one 8-byte word: a 32-byte value whose tearing is detectable. */
  static byte[] selfChecking(long word) {
    ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      b.putLong(word);
    }
    return b.array();
  }

  /** The word of a self-checking value, or null if its four copies differ (a torn read). */
  static Long checkedWord(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
    long w = b.getLong(0);
    for (int i = 1; i < 4; i++) {
      if (b.getLong(8 * i) != w) {
        return null;
      }
    }
    return w;
  }
}
