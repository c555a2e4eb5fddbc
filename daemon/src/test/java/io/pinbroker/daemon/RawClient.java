package io.pinbroker.daemon;

import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.MalformedFrameException;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.unix.Received;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/** Sends arbitrary datagrams to the broker, well-formed or not, and reads what comes back. */
final class RawClient implements AutoCloseable {
  final UnixSocket socket;
  private final ByteBuffer in = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);

  RawClient(Path path) throws IOException {
    this(UnixSocket.connect(path));
  }

  /** A client on a connected socket, which it now owns. */
  RawClient(UnixSocket socket) throws IOException {
    this.socket = socket;
    socket.setTimeouts(Duration.ofSeconds(5));
  }

  /** Connects and completes a valid HELLO. */
  static RawClient greeted(Path path) throws IOException {
    return greet(new RawClient(path));
  }

  /** Completes a valid HELLO on {@code c}. */
  static RawClient greet(RawClient c) throws IOException {
    c.send(frame(1, new Request.Hello(1, 1, Frames.FEATURES), 0));
    c.reply().close();
    return c;
  }

  static byte[] frame(int id, Request r, int fdCount) {
    ByteBuffer b = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeRequest(new RequestFrame(id, fdCount, r), b);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  void send(byte[] datagram, int... fds) throws IOException {
    socket.send(ByteBuffer.wrap(datagram), fds);
  }

  /** The next reply, decoded, with its fds. */
  Reply reply() throws IOException {
    Received r = socket.receive(in);
    if (r.endOfStream()) {
      return new Reply(null, r);
    }
    try {
      return new Reply(FrameCodec.decodeReply(in), r);
    } catch (MalformedFrameException e) {
      r.close();
      throw new IOException("malformed reply: " + e.getMessage());
    }
  }

  /** True once the broker has closed the connection (after an optional EPROTO notice). */
  boolean dropped() throws IOException {
    Reply r = reply();
    r.close();
    if (r.frame == null) {
      return true;
    }
    Reply next = reply();
    next.close();
    return r.frame.reply().status() == io.pinbroker.protocol.Status.EPROTO && next.frame == null;
  }

  @Override
  public void close() {
    socket.close();
  }

  /** A reply frame (null at end of stream) and the fds that came with it. */
  record Reply(ReplyFrame frame, Received fds) implements AutoCloseable {
    io.pinbroker.protocol.Status status() {
      return frame.reply().status();
    }

    @Override
    public void close() {
      fds.close();
    }
  }
}
