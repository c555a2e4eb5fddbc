package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;

/**
 * Produces the fd a GET returns, like open(2) where the kernel allows: regular files, memfds and
 * pipes are opened again through {@code /proc/self/fd}, so the client gets its own description
 * with exactly the access it asked for. Other objects cannot be opened again; the client gets a
 * new fd for the held description itself ({@link Handout#SHARED}).
 *
 * <p>The access handed out never exceeds the held description's: a read-only get needs a readable
 * description, and a read-write get returns the held access mode (O_RDWR, or O_WRONLY for a
 * write-only description) and is refused for a read-only one.
 */
public final class Handouts {
  private static final int EMFILE = 24;
  private static final int ENFILE = 23;

  private Handouts() {}

  /** The fd for the reply; the caller owns it. Call while the entry cannot be closed. */
  public static Issued issue(HeldObject object, boolean readOnly) throws Refusal {
    int held = object.accessMode();
    int access;
    if (readOnly) {
      if (held == FileOps.O_WRONLY) {
        throw new Refusal(Status.EACCES, "the held description is write-only");
      }
      access = FileOps.O_RDONLY;
    } else {
      if (held == FileOps.O_RDONLY) {
        throw new Refusal(Status.EACCES, "the held description is read-only; get it read-only");
      }
      access = held;
    }
    try {
      if (reopenable(object.fdType())) {
        return new Issued(reopen(object, access), Handout.REOPENED);
      }
      return new Issued(FileOps.duplicate(object.fd(), 0), Handout.SHARED);
    } catch (ErrnoException e) {
      if (e.errno() == EMFILE || e.errno() == ENFILE) {
        throw new Refusal(Status.EMFILE, "the broker's fd table is full");
      }
      throw new Refusal(Status.EACCES, "the broker cannot open it again: " + e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Status.EACCES, "the broker cannot open it again: " + e.getMessage());
    }
  }

  private static boolean reopenable(FdType type) {
    return type == FdType.REGULAR || type == FdType.MEMFD || type == FdType.PIPE;
  }

  private static Fd reopen(HeldObject object, int access) throws IOException {
    if (object.fdType() != FdType.PIPE) {
      return FileOps.reopen(object.fd(), access);
    }
    // A pipe opened read-only would block until a writer appears: open non-blocking, then
    // clear O_NONBLOCK on the new description, which nobody else holds yet.
    Fd fd = FileOps.reopen(object.fd(), access | FileOps.O_NONBLOCK);
    try {
      FileOps.setStatusFlags(fd.value(), FileOps.statusFlags(fd.value()) & ~FileOps.O_NONBLOCK);
      return fd;
    } catch (IOException e) {
      fd.close();
      throw e;
    }
  }

  /** An fd to send and how it was made. */
  public record Issued(Fd fd, Handout handout) {}
}
