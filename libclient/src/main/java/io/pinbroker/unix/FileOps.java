package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/** File descriptor operations on fds that the caller owns or borrows. Nothing here closes them. */
public final class FileOps {
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_ACCMODE = 3;
  public static final int O_NOCTTY = 0400;
  static final int O_DIRECTORY = 0200000;
  public static final int O_APPEND = 02000;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;
  public static final int FD_CLOEXEC = 1;
  public static final int MFD_CLOEXEC = 1;
  public static final int MFD_ALLOW_SEALING = 2;

  private FileOps() {}

  /** statx(fd, "", AT_EMPTY_PATH): the type, owner, identity and size of an open file. */
  public static FileStat stat(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(256, 8);
      MemorySegment empty = a.allocateFrom("");
      MemorySegment st = Libc.state();
      int r =
          (int)
              Libc.STATX.invokeExact(
                  st, fd, empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, buf);
      check(r, st, "statx");
      int mode = buf.get(JAVA_SHORT, 28) & 0xFFFF;
      long dev = makedev(buf.get(JAVA_INT, 136), buf.get(JAVA_INT, 140));
      return new FileStat(
          mode,
          buf.get(JAVA_INT, 20),
          buf.get(JAVA_INT, 24),
          dev,
          buf.get(JAVA_LONG, 32),
          buf.get(JAVA_LONG, 40));
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  private static final int STATX_SIZE = 0x200;
  private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");
  /** A statx buffer per thread, so that {@link #size} allocates nothing. */
  private static final ThreadLocal<MemorySegment> STATX_BUF =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(256, 8));

  /**
   * The current size of an open file: statx(fd, "", AT_EMPTY_PATH, STATX_SIZE), without the
   * allocations of {@link #stat}, for callers that read many sizes (a LIST of memfds).
   */
  public static long size(int fd) throws IOException {
    MemorySegment buf = STATX_BUF.get();
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) Libc.STATX.invokeExact(st, fd, EMPTY_PATH, Libc.AT_EMPTY_PATH, STATX_SIZE, buf);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    check(r, st, "statx");
    return buf.get(JAVA_LONG, 40);
  }

  /** glibc's makedev encoding, so that the number matches st_dev. */
  static long makedev(int major, int minor) {
    long ma = major & 0xFFFFFFFFL;
    long mi = minor & 0xFFFFFFFFL;
    return ((ma & 0xFFFFF000L) << 32)
        | ((ma & 0xFFFL) << 8)
        | ((mi & 0xFFFFFF00L) << 12)
        | (mi & 0xFFL);
  }

  /** open(2) with O_CLOEXEC added. The caller owns the result. */
  public static Fd open(String path, int flags) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = a.allocateFrom(path);
      MemorySegment st = Libc.state();
      int r = (int) Libc.OPEN.invokeExact(st, p, flags | O_CLOEXEC, 0);
      check(r, st, "open " + path);
      return Fd.adopt(r);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  /**
   * Opens the object behind {@code fd} again through {@code /proc/self/fd}, giving a new open file
   * description with its own offset and exactly the access in {@code flags}.
   */
  public static Fd reopen(int fd, int flags) throws IOException {
    MemorySegment name = decimal(fd);
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) Libc.OPENAT.invokeExact(st, ProcFds.DIR, name, flags | O_NOCTTY | O_CLOEXEC, 0);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
    check(r, st, "open /proc/self/fd/" + fd);
    return Fd.adopt(r);
  }

  /**
   * The fd of the {@code /proc/self/fd} directory that {@link #reopen} keeps open for the life of
   * the process, opened by the first call. A daemon calls it at start, so that its fd count is
   * steady from then on.
   */
  public static int procFds() {
    return ProcFds.DIR;
  }

  /**
   * {@code /proc/self/fd}, open for the life of the process: a reopen through it walks one path
   * component instead of four (about 1 µs less per GET, a third of the open's cost).
   */
  private static final class ProcFds {
    static final int DIR = openDirectory();

    private static int openDirectory() {
      try {
        return open("/proc/self/fd", O_RDONLY | O_DIRECTORY).release();
      } catch (IOException e) {
        throw new IllegalStateException("cannot open /proc/self/fd: " + e.getMessage(), e);
      }
    }
  }

  private static final ThreadLocal<MemorySegment> NAME_BUF =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(12));

  /** {@code n} (not negative) as a NUL-terminated decimal string in this thread's buffer. */
  private static MemorySegment decimal(int n) {
    MemorySegment buf = NAME_BUF.get();
    int len = n == 0 ? 1 : (int) Math.log10(n) + 1;
    buf.set(JAVA_BYTE, len, (byte) 0);
    for (int i = len - 1; i >= 0; i--, n /= 10) {
      buf.set(JAVA_BYTE, i, (byte) ('0' + n % 10));
    }
    return buf;
  }

  /** fcntl(F_GETFL): access mode and status flags of the open file description. */
  public static int statusFlags(int fd) throws IOException {
    return fcntl(fd, Libc.F_GETFL, 0, "F_GETFL");
  }

  /** fcntl(F_SETFL) on a description the caller alone holds. */
  public static void setStatusFlags(int fd, int flags) throws IOException {
    fcntl(fd, Libc.F_SETFL, flags, "F_SETFL");
  }

  /** fcntl(F_GETFD): the descriptor flags (FD_CLOEXEC). */
  public static int descriptorFlags(int fd) throws IOException {
    return fcntl(fd, Libc.F_GETFD, 0, "F_GETFD");
  }

  /** A close-on-exec duplicate numbered at least {@code min}; the caller owns it. */
  public static Fd duplicate(int fd, int min) throws IOException {
    return Fd.adopt(fcntl(fd, Libc.F_DUPFD_CLOEXEC, min, "F_DUPFD_CLOEXEC"));
  }

  /** fcntl(2) with an int argument; the result, or ErrnoException naming {@code what}. */
  static int fcntl(int fd, int cmd, int arg, String what) throws IOException {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) Libc.FCNTL.invokeExact(st, fd, cmd, arg);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    return check(r, st, what);
  }

  /** memfd_create(2) then ftruncate to {@code size}. The caller owns the result. */
  public static Fd memfd(String name, long size, int flags) throws IOException {
    Fd fd;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment n = a.allocateFrom(name);
      MemorySegment st = Libc.state();
      int r = (int) Libc.MEMFD_CREATE.invokeExact(st, n, flags | MFD_CLOEXEC);
      fd = Fd.adopt(check(r, st, "memfd_create"));
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
    try {
      MemorySegment st = Libc.state();
      check((int) Libc.FTRUNCATE.invokeExact(st, fd.value(), size), st, "ftruncate");
      return fd;
    } catch (Throwable t) {
      fd.close();
      throw UnixSocket.asIo(t);
    }
  }

  /** Raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft limit. */
  public static long raiseFdLimit() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment lim = a.allocate(16, 8);
      MemorySegment st = Libc.state();
      check((int) Libc.GETRLIMIT.invokeExact(st, Libc.RLIMIT_NOFILE, lim), st, "getrlimit");
      long hard = lim.get(JAVA_LONG, 8);
      if (lim.get(JAVA_LONG, 0) < hard) {
        lim.set(JAVA_LONG, 0, hard);
        check((int) Libc.SETRLIMIT.invokeExact(st, Libc.RLIMIT_NOFILE, lim), st, "setrlimit");
      }
      return hard;
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  /**
   * The soft RLIMIT_NOFILE: one more than the highest fd this process may open. All ones
   * (RLIM_INFINITY, -1 as a Java long) means no limit.
   */
  public static long fdLimit() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment lim = a.allocate(16, 8);
      MemorySegment st = Libc.state();
      check((int) Libc.GETRLIMIT.invokeExact(st, Libc.RLIMIT_NOFILE, lim), st, "getrlimit");
      return lim.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  /** pipe2(2) with O_CLOEXEC: {read end, write end}, both owned by the caller. */
  public static Fd[] pipe() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ends = a.allocate(JAVA_INT, 2);
      MemorySegment st = Libc.state();
      check((int) Libc.PIPE2.invokeExact(st, ends, O_CLOEXEC), st, "pipe2");
      return new Fd[] {Fd.adopt(ends.getAtIndex(JAVA_INT, 0)), Fd.adopt(ends.getAtIndex(JAVA_INT, 1))};
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  private static final short POLLHUP = 0x10;

  /**
   * Waits until the read end of a pipe sees its last writer gone (POLLHUP), for at most {@code
   * timeout}. True if it did. Retries EINTR with the time left.
   */
  public static boolean awaitHangup(int readEnd, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pfd = a.allocate(8, 4);
      while (true) {
        long leftMillis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        pfd.set(JAVA_INT, 0, readEnd);
        pfd.set(JAVA_SHORT, 4, (short) 0);
        pfd.set(JAVA_SHORT, 6, (short) 0);
        MemorySegment st = Libc.state();
        int r = (int) Libc.POLL.invokeExact(st, pfd, 1L, (int) Math.min(leftMillis, Integer.MAX_VALUE));
        if (r < 0 && Libc.errno(st) == Libc.EINTR) {
          continue;
        }
        check(r, st, "poll");
        return (pfd.get(JAVA_SHORT, 6) & POLLHUP) != 0;
      }
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  static int check(int r, MemorySegment st, String what) throws ErrnoException {
    if (r < 0) {
      throw new ErrnoException(what, Libc.errno(st));
    }
    return r;
  }
}
