package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.pinbroker.protocol.Limits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A connected AF_UNIX socket of a message type, SOCK_SEQPACKET (the broker's protocol) or
 * SOCK_DGRAM (sd_notify): one message per send, with fds attached through SCM_RIGHTS. Received fds are close-on-exec from the moment they arrive (MSG_CMSG_CLOEXEC), and
 * MSG_CTRUNC is reported rather than hidden.
 *
 * <p>Not thread-safe: one thread at a time may send or receive. {@link #shutdown()} may be called
 * from any thread to wake a blocked receive.
 */
public final class UnixSocket implements AutoCloseable {
  private static final int MSGHDR_BYTES = 56;
  private static final int CMSG_HEADER_BYTES = 16;
  private static final int CONTROL_BYTES = cmsgSpace(Limits.MAX_FDS_PER_FRAME * 4);
  /** The longest one poll(2) waits; longer timeouts are cut to it (about 24 days). */
  private static final Duration LONGEST_POLL = Duration.ofMillis(Integer.MAX_VALUE);

  private static final int MSG_DONTWAIT = 0x40;
  /** Native memory for one sendmsg or recvmsg, per thread: a socket needs none of its own. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private final Fd fd;

  private static final class Scratch {
    final MemorySegment data;
    final MemorySegment control;
    final MemorySegment iov;
    final MemorySegment msg;

    Scratch() {
      Arena arena = Arena.ofAuto();
      data = arena.allocate(Limits.MAX_FRAME_BYTES, 8);
      control = arena.allocate(CONTROL_BYTES, 8);
      iov = arena.allocate(16, 8);
      msg = arena.allocate(MSGHDR_BYTES, 8);
    }

    void prepare(long dataLen, long controlLen) {
      iov.set(JAVA_LONG, 0, data.address());
      iov.set(JAVA_LONG, 8, dataLen);
      msg.fill((byte) 0);
      msg.set(JAVA_LONG, 16, iov.address());
      msg.set(JAVA_LONG, 24, 1);
      msg.set(JAVA_LONG, 32, controlLen == 0 ? 0 : control.address());
      msg.set(JAVA_LONG, 40, controlLen);
    }
  }

  UnixSocket(Fd fd) {
    this.fd = fd;
  }

  /** Connects to a listening SOCK_SEQPACKET socket at {@code path}. */
  public static UnixSocket connect(Path path) throws IOException {
    return connect(Libc.SOCK_SEQPACKET, path.toString());
  }

  /**
   * Connects a SOCK_DGRAM socket to {@code address}: a path, or {@code @name} for the abstract
   * namespace (as NOTIFY_SOCKET may be).
   */
  public static UnixSocket connectDatagram(String address) throws IOException {
    return connect(Libc.SOCK_DGRAM, address);
  }

  private static UnixSocket connect(int type, String address) throws IOException {
    Fd fd = newSocket(type);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = SocketAddress.unix(a, address);
      MemorySegment st = Libc.state();
      int r = (int) Libc.CONNECT.invokeExact(st, fd.value(), addr, (int) addr.byteSize());
      if (r < 0) {
        throw new ErrnoException("connect " + address, Libc.errno(st));
      }
      return new UnixSocket(fd);
    } catch (Throwable t) {
      fd.close();
      throw asIo(t);
    }
  }

  static Fd newSocket(int type) throws IOException {
    MemorySegment st = Libc.state();
    int s;
    try {
      s = (int) Libc.SOCKET.invokeExact(st, Libc.AF_UNIX, type | Libc.SOCK_CLOEXEC, 0);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    if (s < 0) {
      throw new ErrnoException("socket", Libc.errno(st));
    }
    return Fd.adopt(s);
  }

  /** The socket's descriptor, still owned by this object. */
  public int fd() {
    return fd.value();
  }

  /** Bounds every later send and receive; a receive that waits longer throws a timeout. */
  public void setTimeouts(Duration timeout) throws IOException {
    setTimeout(Libc.SO_RCVTIMEO, timeout);
    setTimeout(Libc.SO_SNDTIMEO, timeout);
  }

  /**
   * Bounds every later receive (SO_RCVTIMEO): one that waits longer throws a {@link
   * SocketTimeoutException}. {@link Duration#ZERO} waits for ever.
   */
  public void setReceiveTimeout(Duration timeout) throws IOException {
    setTimeout(Libc.SO_RCVTIMEO, timeout);
  }

  /**
   * Bounds every later send (SO_SNDTIMEO): one that the peer's full queue blocks for longer throws a
   * {@link SocketTimeoutException}, and the datagram is not sent. {@link Duration#ZERO} waits for
   * ever.
   */
  public void setSendTimeout(Duration timeout) throws IOException {
    setTimeout(Libc.SO_SNDTIMEO, timeout);
  }

  private void setTimeout(int option, Duration timeout) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment tv = a.allocate(16, 8);
      tv.set(JAVA_LONG, 0, timeout.toSeconds());
      tv.set(JAVA_LONG, 8, timeout.toNanosPart() / 1000);
      MemorySegment st = Libc.state();
      int r = (int) Libc.SETSOCKOPT.invokeExact(st, fd.value(), Libc.SOL_SOCKET, option, tv, 16);
      if (r < 0) {
        throw new ErrnoException("setsockopt", Libc.errno(st));
      }
    } catch (Throwable t) {
      throw asIo(t);
    }
  }

  /**
   * Sends one datagram: the buffer's remaining bytes, with {@code fds} attached. The fds are
   * borrowed: they stay open and owned by the caller. Waits while the peer's queue is full, up to
   * the send timeout ({@link SocketTimeoutException}, nothing sent).
   */
  public void send(ByteBuffer frame, int... fds) throws IOException {
    if (!send(frame, 0, fds)) {
      throw new SocketTimeoutException("send timed out");
    }
  }

  /**
   * Sends one datagram as {@link #send} does if that needs no wait; returns false, with nothing
   * sent and the buffer unchanged, if the peer's queue is full.
   */
  public boolean sendNow(ByteBuffer frame, int... fds) throws IOException {
    return send(frame, MSG_DONTWAIT, fds);
  }

  private boolean send(ByteBuffer frame, int flags, int[] fds) throws IOException {
    Scratch s = SCRATCH.get();
    int len = frame.remaining();
    if (len > s.data.byteSize()) {
      throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the frame cap");
    }
    if (fds.length > Limits.MAX_FDS_PER_FRAME) {
      throw new IllegalArgumentException(fds.length + " fds exceed " + Limits.MAX_FDS_PER_FRAME);
    }
    MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, s.data, 0, len);
    long controlLen = 0;
    if (fds.length > 0) {
      controlLen = cmsgSpace(fds.length * 4);
      s.control.asSlice(0, controlLen).fill((byte) 0);
      s.control.set(JAVA_LONG, 0, CMSG_HEADER_BYTES + fds.length * 4L);
      s.control.set(JAVA_INT, 8, Libc.SOL_SOCKET);
      s.control.set(JAVA_INT, 12, Libc.SCM_RIGHTS);
      for (int i = 0; i < fds.length; i++) {
        s.control.set(JAVA_INT, CMSG_HEADER_BYTES + 4L * i, fds[i]);
      }
    }
    s.prepare(len, controlLen);
    MemorySegment st = Libc.state();
    while (true) {
      long r;
      try {
        r = (long) Libc.SENDMSG.invokeExact(st, fd.value(), s.msg, Libc.MSG_NOSIGNAL | flags);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (r >= 0) {
        frame.position(frame.position() + len);
        return true;
      }
      int errno = Libc.errno(st);
      if (errno == Libc.EAGAIN) {
        return false;
      }
      if (errno != Libc.EINTR) {
        throw new ErrnoException("sendmsg", errno);
      }
    }
  }

  /**
   * Waits up to {@code timeout} until a {@link #receive} would not block: a datagram, end of
   * stream or an error is waiting. Returns false if none came in time. One wait lasts at most
   * about 24 days ({@code Integer.MAX_VALUE} ms); a longer timeout ends there.
   */
  public boolean awaitReadable(Duration timeout) throws IOException {
    Duration wait = timeout.compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : timeout;
    return Poll.readable(Math.max(0, wait.toMillis()), fd.value())[0];
  }


  /**
   * Receives one datagram into {@code into} (cleared first, then flipped for reading), waiting up
   * to the receive timeout ({@link SocketTimeoutException}). The returned object owns any fds that
   * arrived.
   */
  public Received receive(ByteBuffer into) throws IOException {
    Received r = receive(into, 0);
    if (r == null) {
      throw new SocketTimeoutException("receive timed out");
    }
    return r;
  }

  /** Receives one datagram as {@link #receive} does if one is waiting; null if none is. */
  public Received receiveNow(ByteBuffer into) throws IOException {
    return receive(into, MSG_DONTWAIT);
  }

  private Received receive(ByteBuffer into, int flags) throws IOException {
    Scratch s = SCRATCH.get();
    into.clear();
    s.prepare(s.data.byteSize(), CONTROL_BYTES);
    MemorySegment st = Libc.state();
    long n;
    while (true) {
      try {
        n = (long) Libc.RECVMSG.invokeExact(st, fd.value(), s.msg, Libc.MSG_CMSG_CLOEXEC | flags);
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
      if (n >= 0) {
        break;
      }
      int errno = Libc.errno(st);
      if (errno == Libc.EAGAIN) {
        return null;
      }
      if (errno != Libc.EINTR) {
        throw new ErrnoException("recvmsg", errno);
      }
    }
    int msgFlags = s.msg.get(JAVA_INT, 48);
    List<Fd> fds = collectFds(s.control, s.msg.get(JAVA_LONG, 40));
    int len = (int) Math.min(n, Math.min(s.data.byteSize(), into.remaining()));
    MemorySegment.copy(s.data, 0, MemorySegment.ofBuffer(into), 0, len);
    into.limit(len);
    return new Received(
        (int) n, fds, (msgFlags & Libc.MSG_CTRUNC) != 0, (msgFlags & Libc.MSG_TRUNC) != 0);
  }

  private static List<Fd> collectFds(MemorySegment control, long controlLen) {
    List<Fd> fds = new ArrayList<>();
    long off = 0;
    while (off + CMSG_HEADER_BYTES <= controlLen) {
      long cmsgLen = control.get(JAVA_LONG, off);
      if (cmsgLen < CMSG_HEADER_BYTES || off + cmsgLen > controlLen) {
        break;
      }
      if (control.get(JAVA_INT, off + 8) == Libc.SOL_SOCKET
          && control.get(JAVA_INT, off + 12) == Libc.SCM_RIGHTS) {
        for (long p = off + CMSG_HEADER_BYTES; p + 4 <= off + cmsgLen; p += 4) {
          fds.add(Fd.adopt(control.get(JAVA_INT, p)));
        }
      }
      off += align8(cmsgLen);
    }
    return fds;
  }

  /** The peer's pid, uid, gid (SO_PEERCRED) and supplementary groups (SO_PEERGROUPS). */
  public PeerCredentials peerCredentials() throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment cred = a.allocate(12, 4);
      getsockopt(Libc.SO_PEERCRED, cred, a);
      int pid = cred.get(JAVA_INT, 0);
      int uid = cred.get(JAVA_INT, 4);
      int gid = cred.get(JAVA_INT, 8);
      return new PeerCredentials(pid, uid, gid, peerGroups(a));
    }
  }

  private int[] peerGroups(Arena a) throws IOException {
    int capacity = 64;
    while (true) {
      MemorySegment buf = a.allocate(capacity * 4L, 4);
      try {
        long got = getsockopt(Libc.SO_PEERGROUPS, buf, a);
        return buf.asSlice(0, got).toArray(JAVA_INT);
      } catch (ErrnoException e) {
        if (e.errno() != Libc.ERANGE || capacity >= 65536) {
          throw e;
        }
        capacity *= 4;
      }
    }
  }

  private long getsockopt(int option, MemorySegment buf, Arena a) throws IOException {
    MemorySegment len = a.allocate(JAVA_INT);
    len.set(JAVA_INT, 0, (int) buf.byteSize());
    MemorySegment st = Libc.state();
    int r;
    try {
      r = (int) Libc.GETSOCKOPT.invokeExact(st, fd.value(), Libc.SOL_SOCKET, option, buf, len);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
    if (r < 0) {
      throw new ErrnoException("getsockopt", Libc.errno(st));
    }
    return len.get(JAVA_INT, 0);
  }

  /** Shuts both directions down, waking a thread blocked in {@link #receive}. */
  public void shutdown() {
    if (fd.isOpen()) {
      try {
        int unused = (int) Libc.SHUTDOWN.invokeExact(Libc.state(), fd.value(), Libc.SHUT_RDWR);
      } catch (IllegalStateException closed) {
        // closed concurrently: nothing left to wake
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    }
  }

  /**
   * Shuts down receiving only: a thread blocked in {@link #receive} wakes to end of stream, while
   * a reply being sent still goes out (a lame-duck drain).
   */
  public void shutdownInput() {
    if (fd.isOpen()) {
      try {
        int unused = (int) Libc.SHUTDOWN.invokeExact(Libc.state(), fd.value(), Libc.SHUT_RD);
      } catch (IllegalStateException closed) {
        // closed concurrently: nothing left to wake
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    }
  }

  /** A SOCK_DGRAM socket bound to {@code path}, to receive datagrams (e.g. sd_notify messages). */
  public static UnixSocket bindDatagram(Path path) throws IOException {
    Fd fd = newSocket(Libc.SOCK_DGRAM);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment addr = SocketAddress.unix(a, path);
      MemorySegment st = Libc.state();
      FileOps.check((int) Libc.BIND.invokeExact(st, fd.value(), addr, (int) addr.byteSize()), st, "bind " + path);
      return new UnixSocket(fd);
    } catch (Throwable t) {
      fd.close();
      throw asIo(t);
    }
  }

  /** Closes the socket; later calls do nothing. */
  @Override
  public void close() {
    fd.close();
  }

  private static int cmsgSpace(int dataBytes) {
    return CMSG_HEADER_BYTES + (int) align8(dataBytes);
  }

  private static long align8(long n) {
    return (n + 7) & ~7L;
  }

  static IOException asIo(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    throw Libc.rethrow(t);
  }
}
