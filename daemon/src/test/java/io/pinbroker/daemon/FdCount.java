package io.pinbroker.daemon;

import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads /proc/PID/fd and /proc/PID/fdinfo: how many fds a process has, and their state. */
public final class FdCount {
  static {
    // A broker opens /proc/self/fd once for the life of the process (FileOps.reopen): open it
    // before any count, as an in-process broker started later would otherwise add it.
    FileOps.procFds();
  }

  private FdCount() {}

  public static int of(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    }
  }

  static int self() throws IOException {
    return of(ProcessHandle.current().pid());
  }

  /**
   * Waits until {@code pid} has {@code expected} fds (connections close asynchronously) and
   * returns the last count seen.
   */
  public static int settle(long pid, int expected, Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    int n = of(pid);
    while (n != expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return n;
      }
      n = of(pid);
    }
    return n;
  }

  /**
   * Waits until {@code pid}'s fd count stops changing (two readings 50 ms apart agree, within 5 s)
   * and returns it: a baseline taken while connections still close.
   */
  public static int steady(long pid) throws IOException, InterruptedException {
    int last = -1;
    for (int i = 0; i < 100; i++) {
      int n = of(pid);
      if (n == last) {
        return n;
      }
      last = n;
      Thread.sleep(50);
    }
    return last;
  }

  /** The pos and flags lines of /proc/self/fdinfo/FD, e.g. {pos=0, flags=02004002}. */
  static Map<String, String> info(int fd) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd));
    String pos = "";
    String flags = "";
    for (String l : lines) {
      if (l.startsWith("pos:")) {
        pos = l.substring(4).trim();
      } else if (l.startsWith("flags:")) {
        flags = l.substring(6).trim();
      }
    }
    return Map.of("pos", pos, "flags", flags);
  }
}
