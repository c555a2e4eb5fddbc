package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/** Replaces the current process image, systemd socket-activation style. */
public final class Exec {
  /** The first fd number passed, as in sd_listen_fds(3). */
  public static final int LISTEN_FDS_START = 3;

  private Exec() {}

  /**
   * Places {@code fds} at 3, 4, … (inheritable), marks every other fd above 2 close-on-exec, and
   * execve's {@code argv[0]} (searched in PATH) with {@code env}. Returns only on failure, and then
   * the process's fds above 2 are in an undefined state: the caller should exit.
   */
  public static ErrnoException replaceProcess(
      List<String> argv, Map<String, String> env, List<Fd> fds) throws IOException {
    int n = fds.size();
    int[] staged = new int[n];
    for (int i = 0; i < n; i++) {
      staged[i] = FileOps.duplicate(fds.get(i).value(), LISTEN_FDS_START + n).release();
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment file = a.allocateFrom(argv.getFirst());
      MemorySegment argvArray = stringArray(a, argv);
      MemorySegment envArray =
          stringArray(
              a, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      MemorySegment st = Libc.state();
      for (int i = 0; i < n; i++) {
        FileOps.check(
            (int) Libc.DUP3.invokeExact(st, staged[i], LISTEN_FDS_START + i, 0), st, "dup3");
        Fd.closeRaw(staged[i]);
      }
      FileOps.check(
          (int) Libc.CLOSE_RANGE.invokeExact(st, LISTEN_FDS_START + n, -1, Libc.CLOSE_RANGE_CLOEXEC),
          st,
          "close_range");
      int r = (int) Libc.EXECVPE.invokeExact(st, file, argvArray, envArray);
      return new ErrnoException("exec " + argv.getFirst(), r < 0 ? Libc.errno(st) : 0);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  private static MemorySegment stringArray(Arena a, List<String> strings) {
    MemorySegment array = a.allocate(ADDRESS, strings.size() + 1L);
    for (int i = 0; i < strings.size(); i++) {
      array.setAtIndex(ADDRESS, i, a.allocateFrom(strings.get(i)));
    }
    array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
    return array;
  }
}
