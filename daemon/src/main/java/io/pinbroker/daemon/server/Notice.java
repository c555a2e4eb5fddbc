package io.pinbroker.daemon.server;

import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The connection-level notice sent just before the broker closes a connection: a failure reply
 * with request id 0 and opcode 0 (EPROTO for a protocol violation, ENOSPC at the connection
 * limit). Best effort, and never waits: the connection ends whether or not it arrives.
 */
final class Notice {
  private Notice() {}

  static void send(UnixSocket socket, Status status, String detail) {
    ByteBuffer buf = ByteBuffer.allocate(Frames.HEADER_BYTES + 2 + Limits.MAX_DETAIL_BYTES);
    FrameCodec.encodeReply(new ReplyFrame(0, 0, 0, new Reply.Failure(status, detail)), buf);
    try {
      socket.sendNow(buf);
    } catch (IOException | RuntimeException e) {
      // the peer is gone or its queue is full: it learns from the closed connection instead
    }
  }
}
