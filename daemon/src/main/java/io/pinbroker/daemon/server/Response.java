package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Reply;
import io.pinbroker.unix.Fd;
import java.util.List;

/**
 * A reply and the fds to send with it, in order: exactly as many as the reply requires ({@link
 * Reply#requiredFds()}), so at most {@link io.pinbroker.protocol.Limits#MAX_FDS_PER_FRAME}. The
 * response owns the fds from construction on: the connection closes them once the reply is sent
 * (or could not be), and a response refused for the wrong number of fds closes them at once.
 */
record Response(Reply reply, List<Fd> fds) implements AutoCloseable {
  Response {
    fds = List.copyOf(fds);
    if (fds.size() != reply.requiredFds()) {
      fds.forEach(Fd::close);
      throw new IllegalArgumentException(
          reply.getClass().getSimpleName()
              + " takes "
              + reply.requiredFds()
              + " fds, not "
              + fds.size());
    }
  }

  /** A reply with the fds it requires, in order; the response now owns them. */
  static Response of(Reply reply, Fd... fds) {
    return new Response(reply, List.of(fds));
  }

  /** The descriptor numbers, still owned by this response, to attach to the datagram. */
  int[] fdValues() {
    return fds.stream().mapToInt(Fd::value).toArray();
  }

  /** Closes every fd of this response; closing again does nothing. */
  @Override
  public void close() {
    fds.forEach(Fd::close);
  }
}
