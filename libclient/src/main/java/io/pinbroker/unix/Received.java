package io.pinbroker.unix;

import java.util.ArrayList;
import java.util.List;

/**
 * One received datagram's metadata and its fds. This object owns the fds until they are taken;
 * {@link #close()} closes every fd nobody took.
 *
 * @param length bytes of data received, 0 at end of stream
 * @param controlTruncated MSG_CTRUNC: the kernel dropped fds (too many, or the receiver's fd
 *     table was full)
 * @param dataTruncated MSG_TRUNC: the datagram was larger than the buffer
 */
public record Received(int length, List<Fd> fds, boolean controlTruncated, boolean dataTruncated)
    implements AutoCloseable {

  public Received {
    fds = new ArrayList<>(fds);
  }

  public boolean endOfStream() {
    return length == 0 && fds.isEmpty() && !controlTruncated;
  }

  /** Takes fd number {@code i}: the caller now owns it. */
  public Fd take(int i) {
    Fd fd = fds.get(i);
    fds.set(i, null);
    return fd;
  }

  /** Takes every fd, in the order they arrived: the caller now owns them all. */
  public List<Fd> takeAll() {
    if (fds.contains(null)) {
      throw new IllegalStateException("some fds were already taken");
    }
    List<Fd> all = List.copyOf(fds);
    fds.replaceAll(fd -> null);
    return all;
  }

  public int fdCount() {
    return fds.size();
  }

  @Override
  public void close() {
    for (Fd fd : fds) {
      if (fd != null) {
        fd.close();
      }
    }
  }
}
