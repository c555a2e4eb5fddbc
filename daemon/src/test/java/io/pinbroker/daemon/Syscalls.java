package io.pinbroker.daemon;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What tests need of the kernel beyond io.pinbroker.unix, which never lets a caller break the
 * protocol's limits: datagrams of any size and any number of control messages, the calling
 * thread's own credentials (raw syscalls change only the calling thread, unlike glibc's wrappers),
 * and the soft fd limit.
 */
final class Syscalls {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
  private static final MethodHandle SENDMSG =
      fn("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SYSCALL =
      LINKER.downcallHandle(
          LINKER.defaultLookup().findOrThrow("syscall"),
          FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
          Linker.Option.captureCallState("errno"),
          Linker.Option.firstVariadicArg(1));
  private static final MethodHandle LSEEK =
      fn("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
  private static final MethodHandle GETRLIMIT =
      fn("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle SETRLIMIT =
      fn("setrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int RLIMIT_NOFILE = 7;
  private static final boolean AARCH64 = System.getProperty("os.arch").equals("aarch64");
  private static final long SYS_SETGROUPS = AARCH64 ? 159 : 116;
  private static final long SYS_SETRESGID = AARCH64 ? 149 : 119;
  private static final long SYS_SETRESUID = AARCH64 ? 147 : 117;

  private Syscalls() {}

  private static MethodHandle fn(String name, FunctionDescriptor d) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().findOrThrow(name), d, Linker.Option.captureCallState("errno"));
  }

  /**
   * sendmsg(2) of {@code data} with one SCM_RIGHTS control message per group of {@code fds}.
   * Returns 0, or the errno it failed with.
   */
  static int sendmsg(int socket, byte[] data, int[]... fds) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, data.length), 8);
      MemorySegment.copy(MemorySegment.ofArray(data), 0, buf, 0, data.length);
      MemorySegment iov = a.allocate(16, 8);
      iov.set(JAVA_LONG, 0, buf.address());
      iov.set(JAVA_LONG, 8, data.length);
      long controlLen = 0;
      for (int[] group : fds) {
        controlLen += 16 + ((group.length * 4L + 7) & ~7L);
      }
      MemorySegment control = a.allocate(Math.max(8, controlLen), 8);
      long off = 0;
      for (int[] group : fds) {
        control.set(JAVA_LONG, off, 16 + group.length * 4L);
        control.set(JAVA_INT, off + 8, SOL_SOCKET);
        control.set(JAVA_INT, off + 12, SCM_RIGHTS);
        for (int i = 0; i < group.length; i++) {
          control.set(JAVA_INT, off + 16 + 4L * i, group[i]);
        }
        off += 16 + ((group.length * 4L + 7) & ~7L);
      }
      MemorySegment msg = a.allocate(56, 8);
      msg.set(JAVA_LONG, 16, iov.address());
      msg.set(JAVA_LONG, 24, 1);
      msg.set(JAVA_LONG, 32, controlLen == 0 ? 0 : control.address());
      msg.set(JAVA_LONG, 40, controlLen);
      MemorySegment st = a.allocate(CAPTURE);
      long r = (long) SENDMSG.invokeExact(st, socket, msg, MSG_NOSIGNAL);
      return r < 0 ? (int) ERRNO.get(st, 0L) : 0;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Gives the calling thread, and only it, the credentials {@code uid}, {@code gid} and {@code
   * groups} for good (real, effective and saved ids). Needs root; the thread should end soon after.
   */
  static void becomeOnThisThread(int uid, int gid, int... groups) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment list = a.allocate(Math.max(4, groups.length * 4L), 4);
      for (int i = 0; i < groups.length; i++) {
        list.setAtIndex(JAVA_INT, i, groups[i]);
      }
      syscall(a, "setgroups", SYS_SETGROUPS, groups.length, list.address(), 0);
      syscall(a, "setresgid", SYS_SETRESGID, gid, gid, gid);
      syscall(a, "setresuid", SYS_SETRESUID, uid, uid, uid);
    }
  }

  private static void syscall(Arena a, String what, long nr, long x, long y, long z)
      throws IOException {
    MemorySegment st = a.allocate(CAPTURE);
    long r;
    try {
      r = (long) SYSCALL.invokeExact(st, nr, x, y, z);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    if (r < 0) {
      throw new IOException(what + " failed: errno " + (int) ERRNO.get(st, 0L));
    }
  }

  /** lseek(2) with SEEK_SET: the new offset. */
  static long seek(int fd, long offset) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(CAPTURE);
      long r = (long) LSEEK.invokeExact(st, fd, offset, 0);
      if (r < 0) {
        throw new IOException("lseek: errno " + (int) ERRNO.get(st, 0L));
      }
      return r;
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The soft and hard RLIMIT_NOFILE of this process. */
  static long[] fdLimits() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment lim = a.allocate(16, 8);
      MemorySegment st = a.allocate(CAPTURE);
      if ((int) GETRLIMIT.invokeExact(st, RLIMIT_NOFILE, lim) < 0) {
        throw new IllegalStateException("getrlimit: errno " + (int) ERRNO.get(st, 0L));
      }
      return new long[] {lim.get(JAVA_LONG, 0), lim.get(JAVA_LONG, 8)};
    } catch (Throwable t) {
      throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
  }

  /** Sets this process's soft RLIMIT_NOFILE, keeping the hard one. */
  static void softFdLimit(long soft) {
    long hard = fdLimits()[1];
    try (Arena a = Arena.ofConfined()) {
      MemorySegment lim = a.allocate(16, 8);
      lim.set(JAVA_LONG, 0, soft);
      lim.set(JAVA_LONG, 8, hard);
      MemorySegment st = a.allocate(CAPTURE);
      if ((int) SETRLIMIT.invokeExact(st, RLIMIT_NOFILE, lim) < 0) {
        throw new IllegalStateException("setrlimit: errno " + (int) ERRNO.get(st, 0L));
      }
    } catch (Throwable t) {
      throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
  }
}
