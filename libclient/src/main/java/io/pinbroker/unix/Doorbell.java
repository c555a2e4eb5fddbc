package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An eventfd that any thread rings and one thread waits on together with a socket: how the thread
 * serving a socket learns, without a timer, that other threads left it work. Ringing never blocks.
 *
 * <p>Owns one descriptor. The caller must make sure nobody rings a closed bell (a closed
 * descriptor's number may already belong to another file); ring and close under one lock.
 */
public final class Doorbell implements AutoCloseable {
  private static final int EFD_NONBLOCK = 0x800;
  private static final int EFD_CLOEXEC = 0x80000;
  private static final MethodHandle EVENTFD = Libc.fn("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle READ = Libc.fn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle WRITE =
      Libc.fn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);

  private final Fd fd;
  private final MemorySegment one = Arena.ofAuto().allocate(JAVA_LONG);

  private Doorbell(Fd fd) {
    this.fd = fd;
    one.set(JAVA_LONG, 0, 1L);
  }

  /** A new bell, not rung. */
  public static Doorbell open() throws IOException {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) EVENTFD.invokeExact(st, 0, EFD_NONBLOCK | EFD_CLOEXEC);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    FileOps.check(r, st, "eventfd");
    return new Doorbell(Fd.adopt(r));
  }

  /** Rings the bell: the waiter's next {@link #await} returns at once. Never blocks. */
  public void ring() {
    try {
      // Adds 1 to the counter; it cannot reach its maximum (2^64 - 2) in practice, so no EAGAIN.
      long unused = (long) WRITE.invokeExact(Libc.state(), fd.value(), one, 8L);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /**
   * Waits until the bell rings or {@code socket} is readable (a datagram, end of stream or an
   * error). Silences the bell if it rang. Returns whether the socket is readable.
   */
  public boolean await(UnixSocket socket) throws IOException {
    boolean[] ready = Poll.readable(-1, socket.fd(), fd.value());
    if (ready[1]) {
      silence();
    }
    return ready[0];
  }

  /** The eventfd, still owned by this bell: readable while the bell has rung and not been silenced. */
  public int fd() {
    return fd.value();
  }

  /** Silences the bell, if it rang; never blocks. */
  public void silence() {
    try (Arena a = Arena.ofConfined()) {
      long unused = (long) READ.invokeExact(Libc.state(), fd.value(), a.allocate(8), 8L);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  /** Closes the eventfd; later calls do nothing. */
  @Override
  public void close() {
    fd.close();
  }
}
