package io.pinbroker.client;

import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.unix.Fd;

/**
 * The answer to a GET: an fd the caller now owns, with what the broker knows of the entry.
 * Closing this closes the fd unless it was {@linkplain Fd#release() released}.
 *
 * @param handout whether the fd is a fresh open of the object or the shared description
 */
public record ReceivedFd(Fd fd, NodeInfo info, Handout handout) implements AutoCloseable {
  @Override
  public void close() {
    fd.close();
  }
}
