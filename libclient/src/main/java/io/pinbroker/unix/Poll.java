package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** poll(2) for readability on a few descriptors, the caller's, retrying EINTR. */
final class Poll {
  /** Data, end of stream (POLLRDHUP for sockets), an error or a hangup all count as readable. */
  private static final short POLLIN = 0x1;
  private static final short POLLRDHUP = 0x2000;
  private static final int POLLFD_BYTES = 8;

  private Poll() {}

  /**
   * Waits until one of {@code fds} is readable, for at most {@code timeoutMillis} (negative: no
   * limit). Returns, per descriptor, whether it is readable; all false after a timeout.
   */
  static boolean[] readable(long timeoutMillis, int... fds) throws IOException {
    long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment pfds = a.allocate((long) POLLFD_BYTES * fds.length, 4);
      while (true) {
        for (int i = 0; i < fds.length; i++) {
          pfds.set(JAVA_INT, (long) POLLFD_BYTES * i, fds[i]);
          pfds.set(JAVA_SHORT, (long) POLLFD_BYTES * i + 4, (short) (POLLIN | POLLRDHUP));
          pfds.set(JAVA_SHORT, (long) POLLFD_BYTES * i + 6, (short) 0);
        }
        int wait =
            timeoutMillis < 0
                ? -1
                : (int) Math.min(Integer.MAX_VALUE, Math.max(0, deadline - System.nanoTime()) / 1_000_000);
        MemorySegment st = Libc.state();
        int r = (int) Libc.POLL.invokeExact(st, pfds, (long) fds.length, wait);
        if (r < 0 && Libc.errno(st) == Libc.EINTR) {
          continue;
        }
        FileOps.check(r, st, "poll");
        boolean[] ready = new boolean[fds.length];
        for (int i = 0; i < fds.length; i++) {
          ready[i] = pfds.get(JAVA_SHORT, (long) POLLFD_BYTES * i + 6) != 0;
        }
        return ready;
      }
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }
}
