package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Reply;
import io.pinbroker.unix.Fd;

/**
 * A reply and the fd to send with it, if any. The response owns the fd: the connection closes it
 * once the reply is sent (or could not be).
 */
record Response(Reply reply, Fd fd) {
  static Response of(Reply reply) {
    return new Response(reply, null);
  }
}
