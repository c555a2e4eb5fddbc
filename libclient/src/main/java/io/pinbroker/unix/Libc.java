package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc functions pinbroker calls, bound through FFM. Each handle takes a leading segment that
 * receives errno; {@link #errno(MemorySegment)} reads it. Linux x86_64/aarch64 constants.
 */
final class Libc {
  static final int AF_UNIX = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_SEQPACKET = 5;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;
  static final int SO_TYPE = 3;
  static final int SO_ACCEPTCONN = 30;
  static final int SO_DOMAIN = 39;
  static final int SHUT_RD = 0;
  static final int F_SETFD = 2;
  static final int SCM_RIGHTS = 1;
  static final int SO_PEERCRED = 17;
  static final int SO_RCVTIMEO = 20;
  static final int SO_SNDTIMEO = 21;
  static final int SO_PEERGROUPS = 59;
  static final int MSG_CTRUNC = 0x8;
  static final int MSG_TRUNC = 0x20;
  static final int MSG_NOSIGNAL = 0x4000;
  static final int MSG_CMSG_CLOEXEC = 0x40000000;
  static final int SHUT_RDWR = 2;
  static final int F_GETFD = 1;
  static final int F_GETFL = 3;
  static final int F_SETFL = 4;
  static final int F_DUPFD_CLOEXEC = 1030;
  static final int AT_EMPTY_PATH = 0x1000;
  static final int STATX_BASIC_STATS = 0x7ff;
  static final int CLOSE_RANGE_CLOEXEC = 4;
  static final int RLIMIT_NOFILE = 7;

  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int ERANGE = 34;

  static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> STATE =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  static final MethodHandle SOCKET = fn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle BIND = fn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle LISTEN = fn("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle ACCEPT4 = fn("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  static final MethodHandle CONNECT = fn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle GETSOCKNAME = fn("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  static final MethodHandle UNSETENV = fn("unsetenv", JAVA_INT, ADDRESS);
  static final MethodHandle SENDMSG = fn("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle RECVMSG = fn("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle SHUTDOWN = fn("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle CLOSE = fn("close", JAVA_INT, JAVA_INT);
  static final MethodHandle GETSOCKOPT =
      fn("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  static final MethodHandle SETSOCKOPT =
      fn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle FCNTL =
      fnVariadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle OPEN = fnVariadic("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  static final MethodHandle OPENAT =
      fnVariadic("openat", 3, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  static final MethodHandle STATX =
      fn("statx", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
  static final MethodHandle MEMFD_CREATE = fn("memfd_create", JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle FTRUNCATE = fn("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
  static final MethodHandle DUP3 = fn("dup3", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle CLOSE_RANGE = fn("close_range", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  static final MethodHandle EXECVPE = fn("execvpe", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
  static final MethodHandle GETRLIMIT = fn("getrlimit", JAVA_INT, JAVA_INT, ADDRESS);
  static final MethodHandle SETRLIMIT = fn("setrlimit", JAVA_INT, JAVA_INT, ADDRESS);
  static final MethodHandle PIPE2 = fn("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
  static final MethodHandle MOUNT = fn("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
  static final MethodHandle POLL = fn("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
  static final MethodHandle ISATTY = fn("isatty", JAVA_INT, JAVA_INT);
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(
          LINKER.defaultLookup().findOrThrow("strerror"),
          FunctionDescriptor.of(
              ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, JAVA_BYTE)), JAVA_INT));

  private Libc() {}

  static MethodHandle fn(String name, MemoryLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().findOrThrow(name),
        FunctionDescriptor.of(ret, args),
        Linker.Option.captureCallState("errno"));
  }

  static MethodHandle fnVariadic(
      String name, int firstVariadic, MemoryLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().findOrThrow(name),
        FunctionDescriptor.of(ret, args),
        Linker.Option.captureCallState("errno"),
        Linker.Option.firstVariadicArg(firstVariadic));
  }

  /** This thread's errno capture segment, to pass as the first argument. */
  static MemorySegment state() {
    return STATE.get();
  }

  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  /** Wraps a Throwable from invokeExact, which can only be an Error or a RuntimeException. */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    return new IllegalStateException(t);
  }
}
