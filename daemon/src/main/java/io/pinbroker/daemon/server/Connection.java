package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.DecodedRequest;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import io.pinbroker.unix.Received;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one client: datagram → decode → handler by opcode → reply, in order, until the client
 * leaves or breaks the protocol. Every fd that arrives is closed unless a handler keeps it.
 *
 * <p>The connection lives in an {@link EventLoop}, which serves its requests as they arrive. A
 * request that may wait (a pin the fd store must confirm, a takeover step, WATCH), or a reply the
 * client's full queue cannot take at once, goes to a worker thread with the connection: the worker
 * serves it, then every request already waiting, and gives the connection back to the loop. One
 * thread at a time owns a connection, so replies keep the order of requests. After an OK WATCH the
 * worker only sends the watch's events, until the client leaves.
 *
 * <p>The loop ends a connection idle past the idle timeout (ETIMEDOUT notice) unless it owns
 * ephemeral pins; a reply the client leaves unread past the send timeout (SO_SNDTIMEO, set once)
 * drops it.
 */
final class Connection {
  private static final Logger LOG = Logger.getLogger(Connection.class.getName());
  /** One frame buffer per thread: a connection keeps none between requests. */
  private static final ThreadLocal<ByteBuffer> BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(Limits.MAX_FRAME_BYTES));

  private final UnixSocket socket;
  private final PeerCredentials who;
  private final Handlers handlers;
  private final Handoff handoff;
  private final Watches watches;
  private final Runnable onClose;
  private final ServerMetrics metrics;
  private final ServerConfig limits;
  private final EventLoop loop;
  private final Executor workers;
  private boolean greeted;
  /** When the datagram being served was received: latency runs from here to its reply. */
  private long receivedNanos;
  /** When the last request arrived, or the connection started or came back to the loop. */
  private long lastActive;
  /** Whether the thread serving now is the loop's, which must never wait. */
  private boolean onLoop;
  /** A request for a worker to serve, with its fds, or null. */
  private Deferred deferred;
  /** A reply the loop could not send at once, for a worker to send, or null. */
  private Pending pending;
  private volatile boolean watching;

  private record Deferred(RequestFrame frame, Received in) {}

  private record Pending(ByteBuffer frame, Response response, int opcode) {}

  Connection(
      UnixSocket socket,
      PeerCredentials who,
      Handlers handlers,
      Handoff handoff,
      ServerMetrics metrics,
      Watches watches,
      ServerConfig limits,
      EventLoop loop,
      Executor workers,
      Runnable onClose) {
    this.limits = limits;
    this.socket = socket;
    this.who = who;
    this.handlers = handlers;
    this.handoff = handoff;
    this.metrics = metrics;
    this.watches = watches;
    this.loop = loop;
    this.workers = workers;
    this.onClose = onClose;
  }

  PeerCredentials peer() {
    return who;
  }

  int fd() {
    return socket.fd();
  }

  /**
   * Ends the connection after the request being served, if any: the next receive sees end of
   * stream, while the reply in progress still goes out. A watch stream ends at once, even while
   * it waits for a client that does not read.
   */
  void drain() {
    if (watching) {
      socket.shutdown();
    } else {
      socket.shutdownInput();
    }
  }

  /** Starts serving: the connection joins its loop. */
  void start() {
    try {
      socket.setSendTimeout(limits.sendTimeout());
      lastActive = System.nanoTime();
      loop.adopt(this);
    } catch (IOException e) {
      LOG.warning("cannot serve " + who + ": " + e.getMessage());
      end();
    }
  }

  /** When the loop must call {@link #idle}: {@link EventLoop#NEVER} without an idle timeout. */
  long idleDeadline() {
    Duration idle = limits.idleTimeout();
    return idle.isZero() ? EventLoop.NEVER : lastActive + idle.toNanos();
  }

  /** On the loop: a datagram, end of stream or an error is waiting. */
  void ready() {
    onLoop = true;
    ByteBuffer buffer = BUFFER.get();
    boolean open;
    try {
      Received in = socket.receiveNow(buffer);
      if (in == null) {
        return; // another thread took it, or the event was stale
      }
      open = handle(in, buffer);
      lastActive = receivedNanos;
    } catch (IOException | RuntimeException e) {
      failed(e);
      open = false;
    }
    if (!open) {
      end();
    } else if (deferred != null || pending != null) {
      loop.release(this);
      onLoop = false;
      workers.execute(this::work);
    }
  }

  /** On a worker: serves what the loop left, then whatever waits, then returns to the loop. */
  private void work() {
    ByteBuffer buffer = BUFFER.get();
    try {
      flush();
      boolean open = serveDeferred(buffer);
      while (open) {
        Received in = socket.receiveNow(buffer);
        if (in == null) {
          lastActive = System.nanoTime();
          loop.adopt(this);
          return;
        }
        open = handle(in, buffer);
      }
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
    end();
  }

  /** Sends the reply the loop could not, if any, waiting up to the send timeout. */
  private void flush() throws IOException {
    Pending p = pending;
    if (p == null) {
      return;
    }
    pending = null;
    try (Response response = p.response()) {
      socket.send(p.frame(), response.fdValues());
      metrics.served(p.opcode(), response.reply().status(), System.nanoTime() - receivedNanos);
    }
  }

  /** Serves the request the loop left, if any; false when the connection must end. */
  private boolean serveDeferred(ByteBuffer buffer) throws IOException {
    Deferred d = deferred;
    if (d == null) {
      return true;
    }
    deferred = null;
    try (Received in = d.in()) {
      return serve(d.frame(), in, buffer);
    }
  }

  private void failed(Exception e) {
    switch (e) {
      case SocketTimeoutException t -> // only a send times out: receives never wait
          LOG.warning(
              "dropping client " + who + ": it left a reply unread for "
                  + limits.sendTimeout().toMillis() + " ms");
      case IOException io ->
          LOG.log(Level.FINE, "connection from " + who + " ended: " + io.getMessage());
      default ->
          LOG.log(
              Level.SEVERE, "closing the connection from " + who + " after an internal error", e);
    }
  }

  /** Ends the connection, on the thread that owns it. */
  private void end() {
    if (onLoop) {
      loop.release(this);
    }
    if (pending != null) {
      pending.response().close();
      pending = null;
    }
    if (deferred != null) {
      deferred.in().close();
      deferred = null;
    }
    socket.close();
    handoff.ended(this);
    handlers.closed(who);
    onClose.run();
  }

  /**
   * Serves one received datagram, which this method now owns; false when the connection must end.
   * On the loop, a request that may wait is left for a worker instead ({@link #deferred}).
   */
  private boolean handle(Received in, ByteBuffer buffer) throws IOException {
    receivedNanos = System.nanoTime();
    boolean keep = false;
    try {
      if (in.endOfStream()) {
        return false;
      }
      if (in.dataTruncated()) {
        return violation("datagram exceeds " + Limits.MAX_FRAME_BYTES + " bytes");
      }
      return switch (FrameCodec.decodeRequest(buffer)) {
        case DecodedRequest.Malformed m -> violation(m.reason());
        case DecodedRequest.UnknownOpcode u -> {
          if (!greeted) {
            yield violation("HELLO must be the first request");
          }
          send(
              u.requestId(), u.opcode(), failure(Status.ENOSYS, "unknown opcode " + u.opcode()),
              buffer);
          yield true;
        }
        case DecodedRequest.Valid v -> {
          if (onLoop && greeted && mayWait(v.frame().request())) {
            deferred = new Deferred(v.frame(), in);
            keep = true;
            yield true;
          }
          yield serve(v.frame(), in, buffer);
        }
      };
    } finally {
      if (!keep) {
        in.close();
      }
    }
  }

  /** Requests the loop leaves to a worker: they may wait on something other than this client. */
  private boolean mayWait(Request request) {
    return switch (request.opcode()) {
      case WATCH, TAKEOVER_BEGIN, TAKEOVER_FDS, TAKEOVER_DONE -> true;
      default -> handlers.mayWait(request.opcode());
    };
  }

  /**
   * On the loop, the idle timeout passed with no request: the connection ends with an ETIMEDOUT
   * notice, unless it owns ephemeral pins, which live as long as it does. Returns the next
   * deadline, {@link EventLoop#NEVER} once ended.
   */
  long idle() {
    onLoop = true;
    if (handlers.ownsEphemeral(who)) {
      lastActive = System.nanoTime();
      return idleDeadline();
    }
    Duration idle = limits.idleTimeout();
    LOG.fine("closing the connection from " + who + ": idle for " + idle.toMillis() + " ms");
    Notice.send(socket, Status.ETIMEDOUT, "idle for " + idle.toMillis() + " ms");
    end();
    return EventLoop.NEVER;
  }

  private boolean serve(RequestFrame frame, Received in, ByteBuffer buffer) throws IOException {
    Request request = frame.request();
    if (request instanceof Request.Hello hello) {
      return hello(frame, hello, in, buffer);
    }
    if (!greeted) {
      return violation("HELLO must be the first request");
    }
    Response response = fdMismatch(frame, in);
    if (response == null && request instanceof Request.Watch watch) {
      return watch(frame.requestId(), watch, buffer);
    }
    if (response == null) {
      try {
        response =
            switch (request) {
              case Request.TakeoverBegin t -> handoff.serve(this, who, t);
              case Request.TakeoverFds t -> handoff.serve(this, who, t);
              case Request.TakeoverDone t -> handoff.serve(this, who, t);
              default -> handlers.forOpcode(request.opcode()).handle(who, request, in);
            };
      } catch (Refusal r) {
        response = failure(r.status(), r.detail());
      }
    }
    AuditLog.record(who, request, response.reply());
    send(frame.requestId(), request.opcode().code(), response, buffer);
    return true;
  }

  /** The refusal for fds that do not match the request, or null if they do. */
  private static Response fdMismatch(RequestFrame frame, Received in) {
    Request request = frame.request();
    if (in.controlTruncated()) {
      return failure(
          Status.ENOBUFS,
          "fds were lost in transit (MSG_CTRUNC): more than "
              + Limits.MAX_FDS_PER_FRAME
              + ", or the broker's fd table is full");
    }
    if (frame.fdCount() != in.fdCount()) {
      return failure(
          Status.EBADF,
          "header announces " + frame.fdCount() + " fds but " + in.fdCount() + " arrived");
    }
    if (in.fdCount() != request.requiredFds()) {
      return failure(
          Status.EBADF,
          request.opcode() + " takes " + request.requiredFds() + " fds, " + in.fdCount() + " arrived");
    }
    return null;
  }

  private boolean hello(RequestFrame frame, Request.Hello hello, Received in, ByteBuffer buffer)
      throws IOException {
    int id = frame.requestId();
    if (greeted) {
      return violation("HELLO sent twice");
    }
    if (frame.fdCount() != 0 || in.fdCount() != 0 || in.controlTruncated()) {
      return violation("HELLO carries no fds");
    }
    if (hello.minVersion() > Frames.VERSION || hello.maxVersion() < Frames.VERSION) {
      send(
          id,
          request(hello),
          failure(
              Status.EPROTONOSUPPORT,
              "broker speaks version "
                  + Frames.VERSION
                  + ", client "
                  + hello.minVersion()
                  + ".."
                  + hello.maxVersion()),
          buffer);
      return false;
    }
    greeted = true;
    Reply.HelloReply reply =
        new Reply.HelloReply(
            Frames.VERSION,
            Frames.FEATURES & hello.features(),
            Limits.MAX_FRAME_BYTES,
            Limits.MAX_FDS_PER_FRAME,
            who.pid(),
            who.uid(),
            who.gid());
    send(id, request(hello), Response.of(reply), buffer);
    return true;
  }

  /**
   * WATCH: a refusal is answered as usual; after the OK reply this thread sends the watch's events
   * as they come, and ends the connection when the client leaves or sends anything.
   */
  private boolean watch(int id, Request.Watch request, ByteBuffer buffer) throws IOException {
    Watcher watcher;
    try {
      watcher = watches.start(who, request);
    } catch (Refusal r) {
      send(id, Opcode.WATCH.code(), failure(r.status(), r.detail()), buffer);
      return true;
    }
    try (watcher) {
      watching = true;
      socket.setSendTimeout(Duration.ZERO); // a watcher that does not read overflows instead
      send(id, Opcode.WATCH.code(), Response.of(new Reply.NodeReply(watcher.node())), buffer);
      while (true) {
        for (Reply.WatchEvent e = watcher.next(); e != null; e = watcher.next()) {
          send(id, Opcode.WATCH_EVENT.code(), Response.of(e), buffer);
        }
        if (watcher.await(socket)) {
          try (Received in = socket.receive(buffer)) {
            return !in.endOfStream() && violation("no requests on a watch stream");
          }
        }
      }
    }
  }

  private static int request(Request r) {
    return r.opcode().code();
  }

  /** A protocol violation: say why (best effort) and end the connection. */
  private boolean violation(String reason) {
    LOG.info("dropping client " + who + ": protocol violation: " + reason);
    metrics.violation();
    Notice.send(socket, Status.EPROTO, reason);
    return false;
  }

  private static Response failure(Status status, String detail) {
    return Response.of(new Reply.Failure(status, detail));
  }

  /**
   * Sends a reply with its fds, and closes them whether or not the send succeeds. A reply sent
   * counts for its opcode, with its status and the time since its request arrived. On the loop a
   * reply the client's queue cannot take at once is kept, for a worker to send ({@link #pending}).
   */
  private void send(int id, int opcode, Response response, ByteBuffer buffer) throws IOException {
    buffer.clear();
    FrameCodec.encodeReply(
        new ReplyFrame(id, opcode, response.fds().size(), response.reply()), buffer);
    boolean sent;
    try {
      if (onLoop) {
        sent = socket.sendNow(buffer, response.fdValues());
      } else {
        socket.send(buffer, response.fdValues());
        sent = true;
      }
    } catch (IOException | RuntimeException e) {
      response.close();
      throw e;
    }
    if (!sent) {
      ByteBuffer copy = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
      pending = new Pending(copy, response, opcode);
      return;
    }
    response.close();
    metrics.served(opcode, response.reply().status(), System.nanoTime() - receivedNanos);
  }
}
