package io.pinbroker.client;

import io.pinbroker.unix.Fd;
import java.util.Objects;

/**
 * The answer to TAKEOVER_BEGIN: what a successor needs before it fetches the held objects. The
 * caller owns both fds; closing this closes whichever of them was not {@linkplain Fd#release()
 * released}.
 *
 * @param objectCount how many objects the TAKEOVER_FDS pages hand over in all
 * @param listener the old broker's listening socket ({@code SOCK_SEQPACKET}, bound and listening)
 * @param journal a memfd holding a snapshot of the namespace in the broker's journal format; read
 *     it from offset 0 (its file offset is not specified)
 */
public record TakeoverStart(long objectCount, Fd listener, Fd journal) implements AutoCloseable {
  public TakeoverStart {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(journal, "journal");
  }

  @Override
  public void close() {
    listener.close();
    journal.close();
  }
}
