package io.pinbroker.sim;

import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Constants and small codecs shared by the simulated-object formats (protocol/SIMOBJECTS.md).
 * Stateless and thread-safe.
 */
final class SimFormat {
  static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

  static final int HEADER_BYTES = 64;
  static final int VERSION = 1;
  static final int NAME_BYTES = 16;
  static final long MAX_FILE_BYTES = 1L << 30;
  static final byte[] MAP_MAGIC = "PBSIMMAP".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PROG_MAGIC = "PBSIMPRG".getBytes(StandardCharsets.US_ASCII);

  private SimFormat() {}

  /** The kind named by the first 8 bytes, or null. */
  static SimObjectKind kindOf(byte[] magic) {
    if (Arrays.equals(magic, MAP_MAGIC)) {
      return SimObjectKind.SIM_MAP;
    }
    if (Arrays.equals(magic, PROG_MAGIC)) {
      return SimObjectKind.SIM_PROG;
    }
    return null;
  }

  /** pread of the first {@code n} bytes; fewer at end of file. Leaves the file offset alone. */
  static byte[] readPrefix(int fd, int n) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(n);
      long got = SharedMemory.readAt(fd, buf, 0);
      return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
    }
  }

  /**
   * Checks an object name as the kernel checks BPF object names: at most 15 bytes of {@code
   * [A-Za-z0-9_.]}, so that it is always NUL-terminated in 16 bytes.
   */
  static byte[] encodeName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("name must not be null (use \"\")");
    }
    if (name.length() >= NAME_BYTES) {
      throw new IllegalArgumentException(
          "name \"" + name + "\" is longer than " + (NAME_BYTES - 1) + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.';
      if (!ok) {
        throw new IllegalArgumentException(
            "name \"" + name + "\" may only hold letters, digits, '_' and '.'");
      }
    }
    return Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), NAME_BYTES);
  }

  /** The NUL-padded name at {@code offset}, up to its first NUL. */
  static String decodeName(MemorySegment seg, long offset) throws SimFormatException {
    byte[] b = seg.asSlice(offset, NAME_BYTES).toArray(ValueLayout.JAVA_BYTE);
    int end = 0;
    while (end < NAME_BYTES && b[end] != 0) {
      end++;
    }
    if (end == NAME_BYTES) {
      throw new SimFormatException("name is not NUL-terminated within " + NAME_BYTES + " bytes");
    }
    return new String(b, 0, end, StandardCharsets.ISO_8859_1);
  }

  static long roundUp8(long n) {
    return (n + 7) & ~7L;
  }

  /**
   * Refuses a file that cannot be sealed (not a memfd) or lacks one of the {@code wanted} seals.
   */
  static void requireSeals(int fd, int wanted, String what) throws IOException {
    int seals;
    try {
      seals = SharedMemory.seals(fd);
    } catch (ErrnoException e) {
      throw new SimFormatException(what + " must be a sealable memfd: " + e.getMessage());
    }
    if ((seals & wanted) != wanted) {
      throw new SimFormatException(
          what
              + " lacks seals: has 0x"
              + Integer.toHexString(seals)
              + ", needs 0x"
              + Integer.toHexString(wanted));
    }
  }
}
