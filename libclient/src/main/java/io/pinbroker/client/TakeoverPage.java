package io.pinbroker.client;

import io.pinbroker.unix.Fd;
import java.util.List;

/**
 * One page of the objects a broker hands over: their ids in increasing unsigned order, and one fd
 * per id, in the same order. The caller owns the fds; closing the page closes every one of them
 * that was not {@linkplain Fd#release() released}.
 *
 * @param more whether objects with larger ids remain: ask for them with the last id of this page
 * @throws IllegalArgumentException if there are not as many fds as ids (the fds stay the
 *     caller's)
 */
public record TakeoverPage(List<Long> ids, List<Fd> fds, boolean more) implements AutoCloseable {
  public TakeoverPage {
    ids = List.copyOf(ids);
    fds = List.copyOf(fds);
    if (ids.size() != fds.size()) {
      throw new IllegalArgumentException(ids.size() + " ids but " + fds.size() + " fds");
    }
  }

  @Override
  public void close() {
    fds.forEach(Fd::close);
  }
}
