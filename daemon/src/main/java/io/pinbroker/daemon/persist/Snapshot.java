package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The whole tree written out as a journal (of epoch 0), for a successor to restore from. */
public final class Snapshot {
  /** The fd store name a successor files the snapshot under. */
  public static final String NAME = Persistence.JOURNAL + "0";

  private Snapshot() {}

  /** A memfd holding the tree as a journal; the caller owns it. */
  public static Fd of(Namespace namespace) throws IOException {
    try (Journal j = Journal.create(0)) {
      namespace.snapshot(j::appendUnchecked);
      return FileOps.duplicate(j.fd(), 3);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
