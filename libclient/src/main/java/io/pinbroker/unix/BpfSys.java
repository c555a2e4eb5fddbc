package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The raw bpf(2) system call, which glibc does not wrap: {@code syscall(SYS_bpf, cmd, attr, size)}.
 * Every command gets a zeroed {@code union bpf_attr} of {@link #ATTR_SIZE} bytes; the kernel
 * accepts a larger union than it knows as long as the tail is zero.
 */
final class BpfSys {
  /** At least sizeof(union bpf_attr) of any kernel this runs on; the unused tail stays zero. */
  static final int ATTR_SIZE = 160;
  /** BPF_OBJ_NAME_LEN, including the terminating NUL. */
  static final int OBJ_NAME_LEN = 16;

  static final int MAP_CREATE = 0;
  static final int MAP_LOOKUP_ELEM = 1;
  static final int MAP_UPDATE_ELEM = 2;
  static final int MAP_DELETE_ELEM = 3;
  static final int MAP_GET_NEXT_KEY = 4;
  static final int PROG_LOAD = 5;
  static final int OBJ_PIN = 6;
  static final int OBJ_GET = 7;
  static final int PROG_GET_FD_BY_ID = 13;
  static final int MAP_GET_FD_BY_ID = 14;
  static final int OBJ_GET_INFO_BY_FD = 15;
  static final int RAW_TRACEPOINT_OPEN = 17;
  static final int LINK_GET_FD_BY_ID = 30;

  static final int ENOENT = 2;

  private static final long SYS_BPF = sysBpf(System.getProperty("os.arch"));

  /*
   * long syscall(long number, ...): glibc reads every variadic argument as a long, so cmd and
   * size are passed as longs too (the kernel narrows them to int and unsigned int itself).
   */
  private static final MethodHandle SYSCALL =
      Libc.fnVariadic("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG);

  private BpfSys() {}

  private static long sysBpf(String arch) {
    return switch (arch) {
      case "amd64", "x86_64" -> 321;
      case "aarch64", "arm64" -> 280;
      default -> -1;
    };
  }

  /** A zeroed attribute union, aligned for its u64 members. */
  static MemorySegment attr(Arena arena) {
    return arena.allocate(ATTR_SIZE, 8);
  }

  /**
   * bpf(cmd, attr), retried on EINTR. Returns the non-negative result, or {@code -errno}.
   */
  static long invoke(int cmd, MemorySegment attr) {
    if (SYS_BPF < 0) {
      throw new UnsupportedOperationException(
          "bpf(2) number unknown on " + System.getProperty("os.arch"));
    }
    while (true) {
      MemorySegment st = Libc.state();
      long r;
      try {
        r = (long) SYSCALL.invokeExact(st, SYS_BPF, (long) cmd, attr, (long) ATTR_SIZE);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (r >= 0) {
        return r;
      }
      int errno = Libc.errno(st);
      if (errno != Libc.EINTR) {
        return -errno;
      }
    }
  }

  /** bpf(cmd, attr); a failure becomes an {@link ErrnoException} naming {@code what}. */
  static int call(int cmd, MemorySegment attr, String what) throws ErrnoException {
    long r = invoke(cmd, attr);
    if (r < 0) {
      throw new ErrnoException(what, (int) -r);
    }
    return (int) r;
  }

  /** A command that returns a new descriptor, which the caller then owns. */
  static Fd callFd(int cmd, MemorySegment attr, String what) throws ErrnoException {
    return Fd.adopt(call(cmd, attr, what));
  }

  /**
   * Writes an object name as the kernel accepts it: at most 15 bytes of [A-Za-z0-9_.], any other
   * character replaced by '_', NUL-terminated. A null name leaves the field empty.
   */
  static void putName(MemorySegment attr, long offset, String name) {
    if (name == null) {
      return;
    }
    int n = Math.min(name.length(), OBJ_NAME_LEN - 1);
    for (int i = 0; i < n; i++) {
      attr.set(JAVA_BYTE, offset + i, (byte) sanitize(name.charAt(i)));
    }
  }

  private static char sanitize(char c) {
    boolean ok =
        (c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || c == '_'
            || c == '.';
    return ok ? c : '_';
  }

  /** A NUL-terminated string inside a fixed-size field. */
  static String getName(MemorySegment buf, long offset, int size) {
    int len = 0;
    while (len < size && buf.get(JAVA_BYTE, offset + len) != 0) {
      len++;
    }
    byte[] b = buf.asSlice(offset, len).toArray(JAVA_BYTE);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A native copy of {@code bytes}, or NULL for an empty or null array. */
  static MemorySegment bytes(Arena arena, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return MemorySegment.NULL;
    }
    return arena.allocateFrom(JAVA_BYTE, bytes);
  }
}
