package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;

/**
 * Produces the fd a GET returns, like open(2) where the kernel allows: regular files, memfds (sim
 * objects included) and pipes are opened again through {@code /proc/self/fd}, and BPF maps by id,
 * so the client gets its own description with exactly the access it asked for. BPF programs and
 * links are opened by id too, but the kernel ignores read-only for them ({@link
 * Handout#ADVISORY}). Other objects cannot be opened again; the client gets a new fd for the held
 * description itself ({@link Handout#SHARED}).
 *
 * <p>The access handed out never exceeds the held description's: a read-only get needs a readable
 * description, and a read-write get returns the held access mode (O_RDWR, or O_WRONLY for a
 * write-only description) and is refused for a read-only one.
 */
public final class Handouts {
  private static final int EPERM = 1;
  private static final int EMFILE = 24;
  private static final int ENFILE = 23;

  private Handouts() {}

  /** The fd for the reply; the caller owns it. Call while the entry cannot be closed. */
  public static Issued issue(HeldObject object, boolean readOnly) throws Refusal {
    try {
      if (object.pinned()) {
        return fromPin(object, readOnly);
      }
      return switch (object.kind()) {
        // the kernel ignores access for programs and links: nothing to narrow or exceed
        case BPF_PROG, BPF_LINK -> byId(object);
        case BPF_MAP -> map(object, access(object, readOnly));
        default -> {
          int access = access(object, readOnly);
          yield reopenable(object.fdType())
              ? new Issued(reopen(object, access), Handout.REOPENED)
              : shared(object);
        }
      };
    } catch (ErrnoException e) {
      if (e.errno() == EMFILE || e.errno() == ENFILE) {
        throw new Refusal(Status.EMFILE, "the broker's fd table is full");
      }
      throw new Refusal(Status.EACCES, "the broker cannot open it again: " + e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Status.EACCES, "the broker cannot open it again: " + e.getMessage());
    }
  }

  /** The access mode to hand out: what was asked for, never more than the held description's. */
  private static int access(HeldObject object, boolean readOnly) throws Refusal {
    int held = object.accessMode();
    if (readOnly) {
      if (held == FileOps.O_WRONLY) {
        throw new Refusal(Status.EACCES, "the held description is write-only");
      }
      return FileOps.O_RDONLY;
    }
    if (held == FileOps.O_RDONLY) {
      throw new Refusal(Status.EACCES, "the held description is read-only; get it read-only");
    }
    return held;
  }

  /**
   * A map fd opened by id, read-only through BPF_F_RDONLY: the kernel then refuses updates.
   * Without CAP_SYS_ADMIN the broker cannot open by id; it falls back to the held description for
   * read-write and refuses read-only rather than hand out a writable fd.
   */
  private static Issued map(HeldObject object, int access) throws IOException, Refusal {
    int id = ((ObjectDetails.MapDetails) object.details()).id();
    boolean readOnly = access == FileOps.O_RDONLY;
    int flags = readOnly ? Bpf.F_RDONLY : access == FileOps.O_WRONLY ? Bpf.F_WRONLY : 0;
    try {
      return new Issued(Bpf.mapById(id, flags), Handout.REOPENED);
    } catch (ErrnoException e) {
      if (e.errno() != EPERM) {
        throw e;
      }
      if (readOnly) {
        throw new Refusal(
            Status.EACCES, "a read-only map fd needs CAP_SYS_ADMIN in the broker, which it lacks");
      }
      return shared(object);
    }
  }

  /**
   * A BPF object kept by its pin: BPF_OBJ_GET opens a new description, read-only for a map when
   * asked (the kernel then refuses updates); programs and links ignore read-only.
   */
  private static Issued fromPin(HeldObject object, boolean readOnly) throws IOException, Refusal {
    if (object.kind() == ObjectKind.BPF_MAP) {
      int access = access(object, readOnly);
      int flags = access == FileOps.O_RDONLY ? Bpf.F_RDONLY : access == FileOps.O_WRONLY ? Bpf.F_WRONLY : 0;
      return new Issued(object.open(flags), Handout.REOPENED);
    }
    return new Issued(object.open(0), Handout.ADVISORY);
  }

  /** Programs and links: a new fd by id; the kernel ignores read-only for them. */
  private static Issued byId(HeldObject object) throws IOException {
    try {
      Fd fd =
          object.kind() == ObjectKind.BPF_PROG
              ? Bpf.progById(object.progId())
              : Bpf.linkById(((ObjectDetails.LinkDetails) object.details()).id());
      return new Issued(fd, Handout.ADVISORY);
    } catch (ErrnoException e) {
      if (e.errno() != EPERM) {
        throw e;
      }
      return shared(object);
    }
  }

  private static Issued shared(HeldObject object) throws IOException {
    return new Issued(FileOps.duplicate(object.fd(), 0), Handout.SHARED);
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
