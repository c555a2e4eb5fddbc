package io.pinbroker.unix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** A listening AF_UNIX SOCK_SEQPACKET socket bound to a filesystem path. */
public final class SeqpacketListener implements AutoCloseable {
  private final Fd fd;

  private SeqpacketListener(Fd fd) {
    this.fd = fd;
  }

  /** Binds {@code path} (which must not exist) and listens. */
  public static SeqpacketListener bind(Path path, int backlog) throws IOException {
    Fd fd = SeqpacketSocket.newSocket();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = SocketAddress.unix(a, path);
      MemorySegment st = Libc.state();
      if ((int) Libc.BIND.invokeExact(st, fd.value(), addr, (int) addr.byteSize()) < 0) {
        throw new ErrnoException("bind " + path, Libc.errno(st));
      }
      if ((int) Libc.LISTEN.invokeExact(st, fd.value(), backlog) < 0) {
        throw new ErrnoException("listen " + path, Libc.errno(st));
      }
      return new SeqpacketListener(fd);
    } catch (Throwable t) {
      fd.close();
      throw SeqpacketSocket.asIo(t);
    }
  }

  /** The listening descriptor, still owned by this object. */
  public int fd() {
    return fd.value();
  }

  /**
   * Waits for a connection. The new socket is close-on-exec.
   *
   * @throws ErrnoException EMFILE/ENFILE when the fd table is full; EINVAL after {@link
   *     #shutdown()}
   */
  public SeqpacketSocket accept() throws IOException {
    MemorySegment st = Libc.state();
    while (true) {
      int s;
      try {
        s =
            (int)
                Libc.ACCEPT4.invokeExact(
                    st, fd.value(), MemorySegment.NULL, MemorySegment.NULL, Libc.SOCK_CLOEXEC);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (s >= 0) {
        return new SeqpacketSocket(Fd.adopt(s));
      }
      int errno = Libc.errno(st);
      if (errno != Libc.EINTR) {
        throw new ErrnoException("accept", errno);
      }
    }
  }

  /** Wakes a thread blocked in {@link #accept()}; it then fails. */
  public void shutdown() {
    try {
      int unused = (int) Libc.SHUTDOWN.invokeExact(Libc.state(), fd.value(), Libc.SHUT_RDWR);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  @Override
  public void close() {
    fd.close();
  }

}
