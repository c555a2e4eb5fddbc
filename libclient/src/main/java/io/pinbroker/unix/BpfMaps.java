package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Map creation and element access. The kernel copies exactly key_size bytes from the key and
 * value_size bytes (per possible CPU for per-CPU maps) to or from the value, so every element call
 * first reads the map's shape and refuses Java arrays of any other length rather than letting the
 * kernel read or write past a native buffer.
 */
final class BpfMaps {
  private BpfMaps() {}

  /** attr: map_type@0 key_size@4 value_size@8 max_entries@12 map_flags@16 map_name[16]@28. */
  static Fd create(int type, int keySize, int valueSize, int maxEntries, int flags, String name)
      throws ErrnoException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment attr = BpfSys.attr(a);
      attr.set(JAVA_INT, 0, type);
      attr.set(JAVA_INT, 4, keySize);
      attr.set(JAVA_INT, 8, valueSize);
      attr.set(JAVA_INT, 12, maxEntries);
      attr.set(JAVA_INT, 16, flags);
      BpfSys.putName(attr, 28, name);
      return BpfSys.callFd(BpfSys.MAP_CREATE, attr, "BPF_MAP_CREATE " + Bpf.mapTypeName(type));
    }
  }

  static boolean lookup(int fd, byte[] key, byte[] value) throws IOException {
    BpfMapInfo shape = shape(fd);
    requireLength(fd, "key", shape.keySize(), key.length);
    requireLength(fd, "value", valueBufferSize(shape), value.length);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(Math.max(1, value.length), 8);
      long r = element(a, BpfSys.MAP_LOOKUP_ELEM, fd, key, out, 0);
      if (r == -BpfSys.ENOENT) {
        return false;
      }
      check(r, "BPF_MAP_LOOKUP_ELEM");
      MemorySegment.copy(out, JAVA_BYTE, 0, value, 0, value.length);
      return true;
    }
  }

  static void update(int fd, byte[] key, byte[] value, long flags) throws IOException {
    BpfMapInfo shape = shape(fd);
    requireLength(fd, "key", shape.keySize(), key.length);
    requireLength(fd, "value", valueBufferSize(shape), value.length);
    try (Arena a = Arena.ofConfined()) {
      long r = element(a, BpfSys.MAP_UPDATE_ELEM, fd, key, BpfSys.bytes(a, value), flags);
      check(r, "BPF_MAP_UPDATE_ELEM");
    }
  }

  static boolean delete(int fd, byte[] key) throws IOException {
    requireLength(fd, "key", shape(fd).keySize(), key.length);
    try (Arena a = Arena.ofConfined()) {
      long r = element(a, BpfSys.MAP_DELETE_ELEM, fd, key, MemorySegment.NULL, 0);
      if (r == -BpfSys.ENOENT) {
        return false;
      }
      check(r, "BPF_MAP_DELETE_ELEM");
      return true;
    }
  }

  static byte[] nextKey(int fd, byte[] keyOrNull, int keySize) throws IOException {
    requireLength(fd, "key", shape(fd).keySize(), keySize);
    if (keyOrNull != null) {
      requireLength(fd, "key", keySize, keyOrNull.length);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment next = a.allocate(Math.max(1, keySize), 8);
      long r = element(a, BpfSys.MAP_GET_NEXT_KEY, fd, keyOrNull, next, 0);
      if (r == -BpfSys.ENOENT) {
        return null;
      }
      check(r, "BPF_MAP_GET_NEXT_KEY");
      return next.asSlice(0, keySize).toArray(JAVA_BYTE);
    }
  }

  /** attr: map_fd@0 key@8 value-or-next_key@16 flags@24. Returns the result or -errno. */
  private static long element(
      Arena a, int cmd, int fd, byte[] key, MemorySegment valueOrNext, long flags) {
    MemorySegment attr = BpfSys.attr(a);
    attr.set(JAVA_INT, 0, fd);
    attr.set(ADDRESS, 8, BpfSys.bytes(a, key));
    attr.set(ADDRESS, 16, valueOrNext);
    attr.set(JAVA_LONG, 24, flags);
    return BpfSys.invoke(cmd, attr);
  }

  private static void check(long r, String what) throws ErrnoException {
    if (r < 0) {
      throw new ErrnoException(what, (int) -r);
    }
  }

  private static BpfMapInfo shape(int fd) throws IOException {
    return BpfInfo.map(fd);
  }

  private static void requireLength(int fd, String what, int expected, int actual)
      throws IOException {
    if (expected != actual) {
      Bpf.requireType(fd, BpfObjectType.MAP);
      throw new IllegalArgumentException(
          what + " of " + actual + " bytes for map fd " + fd + " that needs " + expected);
    }
  }

  /** The length a value array must have for lookup and update on a map of this shape. */
  static int valueBufferSize(BpfMapInfo info) {
    return switch (info.type()) {
      // percpu_hash, percpu_array, lru_percpu_hash, percpu_cgroup_storage
      case 5, 6, 10, 21 -> Math.multiplyExact((info.valueSize() + 7) & ~7, possibleCpus());
      default -> info.valueSize();
    };
  }

  /** The number of possible CPUs, as the kernel sizes per-CPU values. */
  static int possibleCpus() {
    return PossibleCpus.COUNT;
  }

  private static final class PossibleCpus {
    static final int COUNT = count();

    private static int count() {
      String list;
      try {
        list = Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int n = 0;
      for (String range : list.split(",")) {
        int dash = range.indexOf('-');
        if (dash < 0) {
          n++;
        } else {
          n +=
              Integer.parseInt(range.substring(dash + 1))
                  - Integer.parseInt(range.substring(0, dash))
                  + 1;
        }
      }
      return n;
    }
  }
}
