package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Shared mappings, file seals and positional reads on descriptors the caller owns or borrows.
 * Nothing here closes or takes ownership of a descriptor: a mapping keeps its own reference to the
 * file, so the fd may be closed while the mapping lives.
 *
 * <p>All methods are thread-safe (they are plain system calls).
 */
public final class SharedMemory {
  public static final int F_SEAL_SEAL = 1;
  public static final int F_SEAL_SHRINK = 2;
  public static final int F_SEAL_GROW = 4;
  public static final int F_SEAL_WRITE = 8;

  static final int F_ADD_SEALS = 1033;
  static final int F_GET_SEALS = 1034;
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;
  private static final long MAP_FAILED = -1L;

  private static final MethodHandle MMAP =
      Libc.fn("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
  private static final MethodHandle MUNMAP = Libc.fn("munmap", JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle PREAD =
      Libc.fn("pread", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG);

  private SharedMemory() {}

  /**
   * mmap(NULL, length, PROT_READ[|PROT_WRITE], MAP_SHARED, fd, 0). The mapping is removed (munmap)
   * when {@code arena} closes; the segment is then no longer accessible. A read-only mapping is
   * returned as a {@linkplain MemorySegment#asReadOnly() read-only segment}, so a write from Java
   * fails with an exception rather than a SIGSEGV.
   *
   * <p>The caller must make sure the file cannot shrink below {@code length} while mapped (for
   * example with {@link #F_SEAL_SHRINK}): touching a page past the end of the file raises SIGBUS.
   *
   * @throws ErrnoException from mmap, e.g. EACCES for a writable mapping of an O_RDONLY fd, or
   *     EPERM for a writable mapping of a memfd sealed with {@link #F_SEAL_WRITE}
   */
  public static MemorySegment map(int fd, long length, boolean writable, Arena arena)
      throws IOException {
    if (length <= 0) {
      throw new IllegalArgumentException("mapping length must be positive: " + length);
    }
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    MemorySegment st = Libc.state();
    MemorySegment addr;
    try {
      addr =
          (MemorySegment)
              MMAP.invokeExact(st, MemorySegment.NULL, length, prot, MAP_SHARED, fd, 0L);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    if (addr.address() == MAP_FAILED) {
      throw new ErrnoException("mmap", Libc.errno(st));
    }
    MemorySegment seg = addr.reinterpret(length, arena, s -> unmap(s, length));
    return writable ? seg : seg.asReadOnly();
  }

  private static void unmap(MemorySegment base, long length) {
    try {
      int unused = (int) MUNMAP.invokeExact(Libc.state(), base, length);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** fcntl(F_ADD_SEALS): adds {@code seals} (F_SEAL_* bits) to the file behind {@code fd}. */
  public static void addSeals(int fd, int seals) throws IOException {
    FileOps.fcntl(fd, F_ADD_SEALS, seals, "F_ADD_SEALS");
  }

  /**
   * fcntl(F_GET_SEALS): the file's seals. Fails with EINVAL for files that cannot be sealed
   * (anything but shmem/hugetlbfs files such as memfds).
   */
  public static int seals(int fd) throws IOException {
    return FileOps.fcntl(fd, F_GET_SEALS, 0, "F_GET_SEALS");
  }

  /** The file's size in bytes (statx). */
  public static long size(int fd) throws IOException {
    return FileOps.stat(fd).size();
  }

  /**
   * pread(2) until {@code dst} is full or end of file: reads at {@code offset} without moving the
   * file offset of {@code fd}. Returns the number of bytes read (less than the segment's size only
   * at end of file). Retries EINTR. {@code dst} must be a native, writable segment.
   */
  public static long readAt(int fd, MemorySegment dst, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("negative offset: " + offset);
    }
    if (!dst.isNative() || dst.isReadOnly()) {
      throw new IllegalArgumentException("pread needs a native, writable segment");
    }
    long done = 0;
    while (done < dst.byteSize()) {
      MemorySegment st = Libc.state();
      long n;
      try {
        n =
            (long)
                PREAD.invokeExact(st, fd, dst.asSlice(done), dst.byteSize() - done, offset + done);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (n < 0) {
        int errno = Libc.errno(st);
        if (errno == Libc.EINTR) {
          continue;
        }
        throw new ErrnoException("pread", errno);
      }
      if (n == 0) {
        break;
      }
      done += n;
    }
    return done;
  }


}
