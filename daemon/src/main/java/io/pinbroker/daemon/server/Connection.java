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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one client: datagram → decode → handler by opcode → reply, in order, until the client
 * leaves or breaks the protocol. Every fd that arrives is closed unless a handler keeps it. After
 * an OK WATCH the connection only sends the watch's events, until the client leaves.
 *
 * <p>Bounded in time by socket timeouts set once, so the request path pays nothing for them: a
 * receive that waits past the idle timeout ends the connection (ETIMEDOUT notice) unless it owns
 * ephemeral pins, and a reply the client leaves unread past the send timeout drops it.
 */
final class Connection implements Runnable {
  private static final Logger LOG = Logger.getLogger(Connection.class.getName());

  private final UnixSocket socket;
  private final PeerCredentials who;
  private final Handlers handlers;
  private final Handoff handoff;
  private final Watches watches;
  private final Runnable onClose;
  private final ServerMetrics metrics;
  private final ServerConfig limits;
  private final ByteBuffer buffer = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
  private boolean greeted;
  /** When the datagram being served was received: latency runs from here to its reply. */
  private long receivedNanos;
  private volatile boolean watching;

  Connection(
      UnixSocket socket,
      PeerCredentials who,
      Handlers handlers,
      Handoff handoff,
      ServerMetrics metrics,
      Watches watches,
      ServerConfig limits,
      Runnable onClose) {
    this.limits = limits;
    this.socket = socket;
    this.who = who;
    this.handlers = handlers;
    this.handoff = handoff;
    this.metrics = metrics;
    this.watches = watches;
    this.onClose = onClose;
  }

  PeerCredentials peer() {
    return who;
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

  @Override
  public void run() {
    try {
      socket.setReceiveTimeout(limits.idleTimeout());
      socket.setSendTimeout(limits.sendTimeout());
      while (serveOne()) {
        // next datagram
      }
    } catch (SocketTimeoutException e) { // only a send: a receive's is handled as idleness
      LOG.warning(
          "dropping client " + who + ": it left a reply unread for " + limits.sendTimeout().toMillis()
              + " ms");
    } catch (IOException e) {
      LOG.log(Level.FINE, "connection from " + who + " ended: " + e.getMessage());
    } catch (RuntimeException bug) {
      LOG.log(Level.SEVERE, "closing the connection from " + who + " after an internal error", bug);
    } finally {
      socket.close();
      handoff.ended(this);
      handlers.closed(who);
      onClose.run();
    }
  }

  /** Serves one datagram; false when the connection must end. */
  private boolean serveOne() throws IOException {
    Received received;
    try {
      received = socket.receive(buffer);
    } catch (SocketTimeoutException idle) {
      return stillWanted();
    }
    try (Received in = received) {
      receivedNanos = System.nanoTime();
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
          send(u.requestId(), u.opcode(), failure(Status.ENOSYS, "unknown opcode " + u.opcode()));
          yield true;
        }
        case DecodedRequest.Valid v -> serve(v.frame(), in);
      };
    }
  }

  /**
   * The idle timeout passed with no request: the connection ends with an ETIMEDOUT notice, unless
   * it owns ephemeral pins, which live as long as it does.
   */
  private boolean stillWanted() {
    if (handlers.ownsEphemeral(who)) {
      return true;
    }
    Duration idle = limits.idleTimeout();
    LOG.fine("closing the connection from " + who + ": idle for " + idle.toMillis() + " ms");
    Notice.send(socket, Status.ETIMEDOUT, "idle for " + idle.toMillis() + " ms");
    return false;
  }

  private boolean serve(RequestFrame frame, Received in) throws IOException {
    Request request = frame.request();
    if (request instanceof Request.Hello hello) {
      return hello(frame, hello, in);
    }
    if (!greeted) {
      return violation("HELLO must be the first request");
    }
    Response response = fdMismatch(frame, in);
    if (response == null && request instanceof Request.Watch watch) {
      return watch(frame.requestId(), watch);
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
    send(frame.requestId(), request.opcode().code(), response);
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

  private boolean hello(RequestFrame frame, Request.Hello hello, Received in) throws IOException {
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
                  + hello.maxVersion()));
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
    send(id, request(hello), Response.of(reply));
    return true;
  }

  /**
   * WATCH: a refusal is answered as usual; after the OK reply this thread sends the watch's events
   * as they come, and ends the connection when the client leaves or sends anything.
   */
  private boolean watch(int id, Request.Watch request) throws IOException {
    Watcher watcher;
    try {
      watcher = watches.start(who, request);
    } catch (Refusal r) {
      send(id, Opcode.WATCH.code(), failure(r.status(), r.detail()));
      return true;
    }
    try (watcher) {
      watching = true;
      socket.setSendTimeout(Duration.ZERO); // a watcher that does not read overflows instead
      send(id, Opcode.WATCH.code(), Response.of(new Reply.NodeReply(watcher.node())));
      while (true) {
        for (Reply.WatchEvent e = watcher.next(); e != null; e = watcher.next()) {
          send(id, Opcode.WATCH_EVENT.code(), Response.of(e));
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
   * counts for its opcode, with its status and the time since its request arrived.
   */
  private void send(int id, int opcode, Response response) throws IOException {
    try (response) {
      buffer.clear();
      FrameCodec.encodeReply(
          new ReplyFrame(id, opcode, response.fds().size(), response.reply()), buffer);
      socket.send(buffer, response.fdValues());
      metrics.served(opcode, response.reply().status(), System.nanoTime() - receivedNanos);
    }
  }
}
