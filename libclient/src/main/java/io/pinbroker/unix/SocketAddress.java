package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Builds a {@code struct sockaddr_un}: a filesystem path, or {@code @name} for the abstract
 * namespace (a leading NUL, no trailing one).
 */
final class SocketAddress {
  /** sun_path holds 108 bytes including the terminating NUL. */
  static final int MAX_PATH_BYTES = 107;

  private SocketAddress() {}

  static MemorySegment unix(Arena arena, Path path) {
    return unix(arena, path.toString());
  }

  static MemorySegment unix(Arena arena, String address) {
    byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
    boolean abstractName = address.startsWith("@");
    if (abstractName) {
      bytes[0] = 0;
    }
    if (bytes.length > MAX_PATH_BYTES) {
      throw new IllegalArgumentException(
          "socket address is " + bytes.length + " bytes, limit " + MAX_PATH_BYTES + ": " + address);
    }
    MemorySegment addr = arena.allocate(2 + bytes.length + (abstractName ? 0 : 1), 2);
    addr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
    MemorySegment.copy(bytes, 0, addr, JAVA_BYTE, 2, bytes.length);
    return addr;
  }
}
