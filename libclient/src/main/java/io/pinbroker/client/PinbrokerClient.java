package io.pinbroker.client;

import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.MalformedFrameException;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.protocol.Stats;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.PeerCredentials;
import io.pinbroker.unix.Received;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A connection to pinbrokerd. Build one with {@link #builder()}; close it when done.
 *
 * <p>Every call blocks for at most the builder's {@linkplain Builder#callTimeout call timeout}. A
 * call that times out leaves the connection unusable, and later calls fail. Calls are serialized:
 * one request is in flight at a time. Refusals throw the {@link PinbrokerException} subclass of
 * their status.
 *
 * <p>fds passed in are borrowed (the caller still owns and closes them); fds returned are owned by
 * the caller through {@link ReceivedFd}, {@link TakeoverStart} and {@link TakeoverPage}. A reply
 * that does not carry exactly the fds it should is refused, and every fd it brought is closed.
 */
public final class PinbrokerClient implements AutoCloseable {
  private final Path socketPath;
  private final UnixSocket socket;
  private final ByteBuffer buffer = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
  private final Reply.HelloReply session;
  private final Duration callTimeout;
  private static final int ECONNRESET = 104;

  /** Request ids start at 1: id 0 marks the broker's connection-level notices. */
  private int nextRequestId = 1;
  private int lastRequestId;
  private volatile boolean broken;

  private PinbrokerClient(Builder b) throws IOException {
    this.socketPath = b.socket != null ? b.socket : SocketLocation.forClient(System.getenv());
    this.callTimeout = b.callTimeout;
    try {
      this.socket = UnixSocket.connect(socketPath);
    } catch (IOException e) {
      throw new BrokerUnreachableException(socketPath, e);
    }
    try {
      socket.setTimeouts(b.callTimeout);
      Request hello = new Request.Hello(Frames.VERSION, Frames.VERSION, Frames.FEATURES);
      this.session = (Reply.HelloReply) call(hello, "").reply();
    } catch (IOException e) {
      socket.close();
      throw new BrokerUnreachableException(socketPath, e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The socket this client is connected to. */
  public Path socketPath() {
    return socketPath;
  }

  /** What the broker said in the hello: version, features, limits, and who it thinks we are. */
  public Reply.HelloReply session() {
    return session;
  }

  /**
   * Binds {@code fd} to {@code path}. Fails with {@link EntryExistsException} if the name is taken,
   * unless {@code options} allow replacing. The broker keeps its own reference; {@code fd} stays
   * the caller's.
   */
  public NodeInfo pin(String path, int fd, PinOptions options) throws IOException {
    Request pin =
        new Request.Pin(
            path,
            options.mode(),
            options.gid(),
            options.flags(),
            options.expectedGeneration(),
            options.ttlMillis());
    return node(call(pin, path, fd));
  }

  /**
   * Has the broker create a map and bind it to {@code path}, with the mode and group of {@code
   * options}. The broker's policy and the caller's uid quota apply: {@link TooBigException},
   * {@link QuotaExceededException}, {@link OperationNotPermittedException} for a type the policy
   * does not allow.
   */
  public NodeInfo createMap(String path, MapSpec spec, PinOptions options) throws IOException {
    if (options.replace() || options.ephemeral() || options.ttl() != null) {
      throw new IllegalArgumentException(
          "a created map never replaces an entry, and lives until it is removed");
    }
    Request create =
        new Request.CreateMap(
            path,
            options.mode(),
            options.gid(),
            spec.sim(),
            spec.type(),
            spec.keySize(),
            spec.valueSize(),
            spec.maxEntries(),
            spec.flags(),
            spec.name());
    return node(call(create, path));
  }

  /** Opens an entry; the caller owns the returned fd. */
  public ReceivedFd get(String path, Access access) throws IOException {
    Exchange ex = call(new Request.Get(path, access == Access.READ_ONLY), path);
    try (Received fds = ex.fds()) {
      Reply.GetReply reply = (Reply.GetReply) ex.reply();
      return new ReceivedFd(fds.take(0), reply.info(), reply.handout());
    }
  }

  public NodeInfo stat(String path) throws IOException {
    return node(call(new Request.Stat(path), path));
  }

  /** Every entry of a directory, in name order, fetched page by page. */
  public List<DirEntry> list(String path) throws IOException {
    List<DirEntry> all = new ArrayList<>();
    String after = "";
    while (true) {
      Reply.ListReply page = listPage(path, after, 0);
      all.addAll(page.entries());
      if (!page.more() || page.entries().isEmpty()) {
        return all;
      }
      after = page.entries().getLast().name();
    }
  }

  /** One page of a directory: names after {@code after}, at most {@code limit} (0: what fits). */
  public Reply.ListReply listPage(String path, String after, int limit) throws IOException {
    return (Reply.ListReply) call(new Request.ListDir(path, after, limit), path).reply();
  }

  public NodeInfo mkdir(String path, int mode) throws IOException {
    return node(call(new Request.Mkdir(path, mode), path));
  }

  public void rmdir(String path) throws IOException {
    call(new Request.Rmdir(path), path);
  }

  /** Removes an entry. Fails with {@link BusyException} for a program a prog array holds. */
  public void unlink(String path) throws IOException {
    call(new Request.Unlink(path, 0), path);
  }

  /** Removes an entry, even a program that a held prog array still refers to. */
  public void forceUnlink(String path) throws IOException {
    call(new Request.Unlink(path, Request.UNLINK_FORCE), path);
  }

  public void rename(String from, String to, RenameMode mode) throws IOException {
    call(new Request.Rename(from, to, mode), from);
  }

  public NodeInfo chmod(String path, int mode) throws IOException {
    return node(call(new Request.Chmod(path, mode), path));
  }

  /** Changes owner and group; pass {@link Request#DEFAULT_ID} to leave one as it is. */
  public NodeInfo chown(String path, int uid, int gid) throws IOException {
    return node(call(new Request.Chown(path, uid, gid), path));
  }

  /**
   * The broker's counters, gauges and latencies now: names by kind, held and open fds, the fd
   * limit, connections, and per operation its requests, refusals by status and latency quantiles.
   * Any client may ask; the numbers name no node. The counts include every request this client
   * sent before on this connection.
   */
  public Stats stats() throws IOException {
    return ((Reply.StatsReply) call(new Request.GetStats(), "").reply()).stats();
  }

  /**
   * Starts taking this broker's state over, for a successor broker. The broker must run as this
   * process's uid or as root, or this throws {@link IOException} without asking it; and this
   * process must run as the broker's uid or as root, or the broker refuses with {@link
   * OperationNotPermittedException}. {@link BusyException} means another handoff is in progress.
   *
   * <p>From the reply on, the broker accepts no connections and refuses every namespace change
   * ({@link TryAgainException}) until {@link #takeoverDone()}; if this connection ends first, the
   * handoff is abandoned and the broker carries on. The caller owns the returned fds.
   */
  public TakeoverStart takeoverBegin() throws IOException {
    PeerCredentials broker = socket.peerCredentials();
    int self = SocketLocation.currentUid();
    if (broker.uid() != 0 && (self < 0 || broker.uid() != self)) {
      throw new IOException(
          "the broker at "
              + socketPath
              + " runs as uid "
              + broker.uid()
              + ", neither this process's ("
              + self
              + ") nor root: not taking over from it");
    }
    Exchange ex = call(new Request.TakeoverBegin(), "");
    try (Received fds = ex.fds()) {
      Reply.TakeoverBeginReply reply = (Reply.TakeoverBeginReply) ex.reply();
      Fd listener = fds.take(Reply.TakeoverBeginReply.LISTENER);
      Fd journal = fds.take(Reply.TakeoverBeginReply.JOURNAL);
      return new TakeoverStart(reply.objectCount(), listener, journal);
    }
  }

  /**
   * The next page of held objects during a handoff begun on this connection: objects whose id is
   * above {@code after} (unsigned; 0 for the first page), at most {@link
   * Limits#MAX_FDS_PER_FRAME}. Call again with the page's last id while {@link
   * TakeoverPage#more()}. The caller owns the returned fds.
   */
  public TakeoverPage takeoverFds(long after) throws IOException {
    Exchange ex = call(new Request.TakeoverFds(after), "");
    try (Received fds = ex.fds()) {
      Reply.TakeoverFdsReply page = (Reply.TakeoverFdsReply) ex.reply();
      if (!page.ids().isEmpty() && Long.compareUnsigned(page.ids().getFirst(), after) <= 0) {
        throw brokenReply(
            "TAKEOVER_FDS after "
                + Long.toUnsignedString(after)
                + " returned id "
                + Long.toUnsignedString(page.ids().getFirst()));
      }
      return new TakeoverPage(page.ids(), fds.takeAll(), page.more());
    }
  }

  /**
   * Ends a handoff begun on this connection: the caller holds everything it needs, and the broker
   * drains its connections and exits.
   */
  public void takeoverDone() throws IOException {
    call(new Request.TakeoverDone(), "");
  }

  /**
   * Watches {@code path}: the node and the names directly in it, or with {@code recursive}
   * everything below it. The watch has a connection of its own, opened here with this client's
   * socket and call timeout; this client stays free for other calls. Watching a directory needs
   * r and x on it (as listing does), watching an entry only search on the directories above it.
   * Refusals throw as for {@link #stat} ({@link NoSuchEntryException}, {@link
   * PermissionDeniedException}, ...).
   */
  public Watch watch(String path, boolean recursive) throws IOException {
    PinbrokerClient stream = new Builder().socket(socketPath).callTimeout(callTimeout).build();
    try {
      int flags = recursive ? Request.WATCH_RECURSIVE : 0;
      return new Watch(stream, path, recursive, node(stream.call(new Request.Watch(path, flags), path)));
    } catch (IOException | RuntimeException e) {
      stream.close();
      throw e;
    }
  }

  /** The next event on a connection that has become a watch stream (see {@link Watch#next}). */
  synchronized Reply.WatchEvent nextEvent(Duration timeout, String path) throws IOException {
    if (broken) {
      throw new IOException("the watch on " + path + " is closed");
    }
    try {
      if (!socket.awaitReadable(timeout)) {
        return null;
      }
      try (Received received = receiveReply()) {
        if (received.endOfStream()) {
          throw new IOException(
              broken ? "the watch on " + path + " is closed" : "the broker ended the watch on " + path);
        }
        ReplyFrame frame = check(received, lastRequestId, Opcode.WATCH_EVENT);
        if (frame.reply() instanceof Reply.Failure f) {
          throw PinbrokerException.of(
              f.status(), path, "the broker closed the connection: " + f.detail());
        }
        if (!(frame.reply() instanceof Reply.WatchEvent e)) {
          throw new IOException("malformed event: " + frame.reply());
        }
        return e;
      }
    } catch (IOException | RuntimeException e) {
      broken = true;
      socket.close();
      throw e;
    }
  }

  private static NodeInfo node(Exchange ex) {
    return ((Reply.NodeReply) ex.reply()).info();
  }

  /**
   * A reply and exactly the fds it requires ({@link Reply#requiredFds()}), owned by the exchange
   * until taken: the caller closes {@code fds} once it has taken what it keeps.
   */
  private record Exchange(Reply reply, Received fds) {}

  private synchronized Exchange call(Request request, String path, int... fds) throws IOException {
    if (broken) {
      throw new IOException("connection to " + socketPath + " is closed");
    }
    int id = nextRequestId++;
    if (id == 0) {
      id = nextRequestId++;
    }
    lastRequestId = id;
    Received received = null;
    try {
      buffer.clear();
      FrameCodec.encodeRequest(new RequestFrame(id, fds.length, request), buffer);
      try {
        socket.send(buffer, fds);
      } catch (ErrnoException closed) {
        // The broker may have closed right after queueing a notice that says why: read it.
        received = receiveReply();
        if (received.endOfStream()) {
          throw closed;
        }
      }
      if (received == null) {
        received = receiveReply();
      }
      ReplyFrame frame = check(received, id, request.opcode());
      if (frame.reply() instanceof Reply.Failure f) {
        received.close();
        if (frame.requestId() == 0) {
          broken = true;
          socket.close();
          throw PinbrokerException.of(f.status(), path, "the broker closed the connection: " + f.detail());
        }
        throw PinbrokerException.of(f.status(), path, f.detail());
      }
      return new Exchange(frame.reply(), received);
    } catch (PinbrokerException refused) {
      throw refused;
    } catch (IOException | RuntimeException e) {
      if (received != null) {
        received.close();
      }
      broken = true;
      socket.close();
      throw e;
    }
  }

  /** A reply that is well-formed but wrong for its request: the connection is not to be trusted. */
  private synchronized IOException brokenReply(String why) {
    broken = true;
    socket.close();
    return new IOException("malformed reply: " + why);
  }

  /**
   * The next datagram. A broker that closes with our request unread makes the kernel report
   * ECONNRESET once before the datagrams it queued, such as a notice saying why: read past it.
   */
  private Received receiveReply() throws IOException {
    try {
      return socket.receive(buffer);
    } catch (ErrnoException e) {
      if (e.errno() != ECONNRESET) {
        throw e;
      }
      return socket.receive(buffer);
    }
  }

  private ReplyFrame check(Received received, int id, Opcode opcode) throws IOException {
    if (received.endOfStream()) {
      throw new IOException("the broker closed the connection");
    }
    if (received.dataTruncated() || received.controlTruncated()) {
      throw new IOException("reply truncated in transit (is this process at its fd limit?)");
    }
    ReplyFrame frame;
    try {
      frame = FrameCodec.decodeReply(buffer);
    } catch (MalformedFrameException e) {
      throw new IOException("malformed reply: " + e.getMessage());
    }
    boolean notice = frame.requestId() == 0 && frame.reply() instanceof Reply.Failure;
    if (!notice && (frame.requestId() != id || frame.opcode() != opcode.code())) {
      throw new IOException("reply does not match request " + id);
    }
    int expectedFds = frame.reply().requiredFds();
    if (frame.fdCount() != received.fdCount() || received.fdCount() != expectedFds) {
      throw new IOException(
          "reply carries " + received.fdCount() + " fds, expected " + expectedFds);
    }
    return frame;
  }

  /** Closes the connection; a call or {@link Watch#next} blocked in another thread ends at once. */
  @Override
  public void close() {
    broken = true;
    socket.shutdown(); // wakes a thread blocked on the socket, which holds the lock
    synchronized (this) {
      socket.close();
    }
  }

  /** Configures a client. Defaults: socket from the environment, 10 s call timeout. */
  public static final class Builder {
    private Path socket;
    private Duration callTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** The broker's socket; if unset, {@code PINBROKER_SOCKET}, then the standard locations. */
    public Builder socket(Path path) {
      this.socket = path;
      return this;
    }

    /** The most any one call may block. */
    public Builder callTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.callTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Connects and completes the hello. */
    public PinbrokerClient build() throws IOException {
      return new PinbrokerClient(this);
    }
  }
}
