package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An epoll instance watching descriptors for readability, level-triggered: a descriptor with a
 * datagram, end of stream, an error or a hangup waiting is reported by every {@link #await} until
 * that is consumed. Each descriptor is reported by its number.
 *
 * <p>{@link #add} and {@link #remove} may be called from any thread, also while another waits;
 * {@link #await} and {@link #ready} from one thread only.
 */
public final class Epoll implements AutoCloseable {
  private static final int EPOLL_CLOEXEC = 0x80000;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLL_CTL_DEL = 2;
  private static final int EPOLLIN = 0x1;
  private static final int EPOLLRDHUP = 0x2000;
  /** struct epoll_event is packed on x86_64 (4 + 8 bytes), naturally aligned elsewhere. */
  private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"));
  private static final int EVENT_BYTES = PACKED ? 12 : 16;
  private static final int DATA_OFFSET = PACKED ? 4 : 8;
  private static final int CAPACITY = 64;

  private static final MethodHandle CREATE = Libc.fn("epoll_create1", JAVA_INT, JAVA_INT);
  private static final MethodHandle CTL =
      Libc.fn("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle WAIT =
      Libc.fn("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

  private final Fd fd;
  private final MemorySegment events = Arena.ofAuto().allocate((long) EVENT_BYTES * CAPACITY, 8);
  private final ThreadLocal<MemorySegment> request =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

  private Epoll(Fd fd) {
    this.fd = fd;
  }

  /** A new epoll instance watching nothing. */
  public static Epoll open() throws IOException {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) CREATE.invokeExact(st, EPOLL_CLOEXEC);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    FileOps.check(r, st, "epoll_create1");
    return new Epoll(Fd.adopt(r));
  }

  /** Watches {@code descriptor} for readability (including end of stream and errors). */
  public void add(int descriptor) throws IOException {
    MemorySegment event = request.get();
    event.set(JAVA_INT, 0, EPOLLIN | EPOLLRDHUP);
    event.set(JAVA_INT, DATA_OFFSET, descriptor);
    event.set(JAVA_INT, DATA_OFFSET + 4, 0);
    control(EPOLL_CTL_ADD, descriptor, event);
  }

  /** Stops watching {@code descriptor}. */
  public void remove(int descriptor) throws IOException {
    control(EPOLL_CTL_DEL, descriptor, request.get());
  }

  private void control(int op, int descriptor, MemorySegment event) throws IOException {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) CTL.invokeExact(st, fd.value(), op, descriptor, event);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    FileOps.check(r, st, "epoll_ctl");
  }

  /**
   * Waits up to {@code timeoutMillis} (negative: no limit) for ready descriptors; returns how many
   * there are, 0 after a timeout or a signal. {@link #ready} names them.
   */
  public int await(int timeoutMillis) throws IOException {
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) WAIT.invokeExact(st, fd.value(), events, CAPACITY, timeoutMillis);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    if (r < 0 && Libc.errno(st) == Libc.EINTR) {
      return 0;
    }
    return FileOps.check(r, st, "epoll_wait");
  }

  /** The descriptor of ready event {@code i} of the last {@link #await}. */
  public int ready(int i) {
    return events.get(JAVA_INT, (long) EVENT_BYTES * i + DATA_OFFSET);
  }

  /** Closes the epoll descriptor; later calls do nothing. */
  @Override
  public void close() {
    fd.close();
  }
}
