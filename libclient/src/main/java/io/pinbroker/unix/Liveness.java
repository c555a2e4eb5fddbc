package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a process id names a running process, as seen from this process's PID namespace. Used to
 * recover locks whose holder was killed. Thread-safe.
 */
public final class Liveness {
  private static final int ESRCH = 3;
  private static final MethodHandle KILL = Libc.fn("kill", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final boolean PROC = Files.isReadable(Path.of("/proc/self/stat"));

  private Liveness() {}

  /**
   * True unless {@code pid} is certainly gone. With /proc mounted, a pid is dead when {@code
   * /proc/PID} does not exist or the process is a zombie (state Z or X: killed but not yet reaped,
   * so kill(pid, 0) would still succeed). Without /proc, kill(pid, 0) failing with ESRCH means
   * dead. A pid that was reused by another process looks alive.
   */
  public static boolean alive(int pid) {
    if (pid <= 0) {
      return false;
    }
    if (PROC) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
      } catch (NoSuchFileException e) {
        return false;
      } catch (IOException e) {
        return killProbe(pid);
      }
      int close = stat.lastIndexOf(')');
      if (close < 0 || close + 2 >= stat.length()) {
        return true;
      }
      char state = stat.charAt(close + 2);
      return state != 'Z' && state != 'X';
    }
    return killProbe(pid);
  }

  /**
   * The start time of process {@code pid} (field 22 of /proc/PID/stat, in clock ticks since
   * boot), which tells it apart from a later process given the same pid; 0 if it cannot be read.
   */
  public static long startTime(int pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.ISO_8859_1);
      String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(after[19]); // field 22; the fields after ')' start at field 3
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Whether the process {@code pid} that started at {@code startTime} is still running. */
  public static boolean alive(int pid, long startTime) {
    return alive(pid) && (startTime == 0 || startTime(pid) == startTime);
  }

  private static boolean killProbe(int pid) {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) KILL.invokeExact(st, pid, 0);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    return r == 0 || Libc.errno(st) != ESRCH;
  }
}
