package io.pinbroker.unix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import java.nio.file.Path;

/** A listening AF_UNIX SOCK_SEQPACKET socket bound to a filesystem path. */
public final class SeqpacketListener implements AutoCloseable {
  private final Fd fd;

  private SeqpacketListener(Fd fd) {
    this.fd = fd;
  }

  /** Binds {@code path} (which must not exist) and listens. */
  public static SeqpacketListener bind(Path path, int backlog) throws IOException {
    Fd fd = UnixSocket.newSocket(Libc.SOCK_SEQPACKET);
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
      throw UnixSocket.asIo(t);
    }
  }

  /**
   * Adopts an inherited listening socket (systemd socket activation) after checking that it is
   * an AF_UNIX SOCK_SEQPACKET socket in listen state, and makes it close-on-exec. On failure the
   * fd is still the caller's.
   */
  public static SeqpacketListener adopt(Fd fd) throws IOException {
    int domain = option(fd.value(), Libc.SO_DOMAIN);
    int type = option(fd.value(), Libc.SO_TYPE);
    int listening = option(fd.value(), Libc.SO_ACCEPTCONN);
    if (domain != Libc.AF_UNIX || type != Libc.SOCK_SEQPACKET || listening != 1) {
      throw new IOException(
          "fd " + fd.value() + " is not a listening AF_UNIX SOCK_SEQPACKET socket (domain "
              + domain + ", type " + type + ", listening " + listening + ")");
    }
    FileOps.fcntl(fd.value(), Libc.F_SETFD, FileOps.FD_CLOEXEC, "F_SETFD");
    return new SeqpacketListener(fd);
  }

  private static int option(int fd, int name) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_INT);
      MemorySegment len = a.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 4);
      MemorySegment st = Libc.state();
      int r = (int) Libc.GETSOCKOPT.invokeExact(st, fd, Libc.SOL_SOCKET, name, value, len);
      FileOps.check(r, st, "getsockopt");
      return value.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  /** The filesystem path this socket listens on (getsockname). */
  public Path path() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = a.allocate(110, 2);
      MemorySegment len = a.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 110);
      MemorySegment st = Libc.state();
      FileOps.check((int) Libc.GETSOCKNAME.invokeExact(st, fd.value(), addr, len), st, "getsockname");
      return Path.of(addr.getString(2));
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
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
  public UnixSocket accept() throws IOException {
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
        return new UnixSocket(Fd.adopt(s));
      }
      int errno = Libc.errno(st);
      if (errno != Libc.EINTR) {
        throw new ErrnoException("accept", errno);
      }
    }
  }


  @Override
  public void close() {
    fd.close();
  }

}
