package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * An object the broker holds for an entry, with what it learned of it at pin time: by an fd, or,
 * for a BPF object in a {@link BpfStore}, by a pin in the broker's bpffs (no fd while idle). The
 * broker never changes a held description's flags or offset. Exactly one entry owns a
 * HeldObject; closing it closes the fd or removes the pin, once.
 */
public final class HeldObject implements AutoCloseable {
  private final Fd fd;
  private final String pin;
  private final FdType fdType;
  private final int accessMode;
  private final long dev;
  private final long ino;
  private final ObjectKind kind;
  private final ObjectDetails details;
  private final Charge charge;
  private final Runnable onClose;
  /** 1 once closed; a field rather than an AtomicBoolean, as there is one per name held. */
  private volatile int closed;

  private static final AtomicIntegerFieldUpdater<HeldObject> CLOSED =
      AtomicIntegerFieldUpdater.newUpdater(HeldObject.class, "closed");

  private HeldObject(
      Fd fd,
      String pin,
      FdType fdType,
      int accessMode,
      long dev,
      long ino,
      Identity identity,
      Charge charge,
      Runnable onClose) {
    this.fd = fd;
    this.pin = pin;
    this.fdType = fdType;
    this.accessMode = accessMode;
    this.dev = dev;
    this.ino = ino;
    this.kind = identity.kind();
    this.details = identity.details();
    this.charge = charge;
    this.onClose = onClose;
  }


  /**
   * Takes ownership of a received fd. On refusal the fd is still the caller's to close.
   *
   * @throws Refusal EBADF for O_PATH descriptors, which carry no access to hand on
   */
  public static HeldObject adopt(Fd fd) throws Refusal {
    return adopt(fd, Charge.NONE, () -> {});
  }

  /**
   * Takes ownership of an fd charged to a uid, running {@code onClose} once when the object is
   * closed (to give the charge back). On refusal neither the fd nor onClose is consumed.
   */
  static HeldObject adopt(Fd fd, Charge charge, Runnable onClose) throws Refusal {
    try {
      int flags = FileOps.statusFlags(fd.value());
      if ((flags & FileOps.O_PATH) != 0) {
        throw new Refusal(Status.EBADF, "O_PATH descriptors cannot be pinned");
      }
      FileStat stat = FileOps.stat(fd.value());
      FdType type = classify(fd.value(), stat);
      Identity identity = Identity.of(fd.value(), type, stat);
      return new HeldObject(
          fd, null, type, flags & FileOps.O_ACCMODE, stat.dev(), stat.ino(), identity, charge,
          onClose);
    } catch (IOException e) {
      throw new Refusal(Status.EBADF, "cannot inspect the fd: " + e.getMessage());
    }
  }

  private static FdType classify(int fd, FileStat stat) {
    return switch (stat.type()) {
      case FileStat.S_IFREG -> isMemfd(fd) ? FdType.MEMFD : FdType.REGULAR;
      case FileStat.S_IFIFO -> FdType.PIPE;
      case FileStat.S_IFSOCK -> FdType.SOCKET;
      case FileStat.S_IFCHR -> FdType.CHAR_DEVICE;
      case FileStat.S_IFBLK -> FdType.BLOCK_DEVICE;
      case FileStat.S_IFDIR -> FdType.DIRECTORY;
      case 0 -> FdType.ANON_INODE;
      default -> FdType.OTHER;
    };
  }

  private static boolean isMemfd(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("/memfd:");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The same object kept by its pin at {@code path} from now on: this object's fd is closed
   * (without giving its charge back; the pinned object carries it on).
   */
  HeldObject pinnedAt(String path) {
    HeldObject pinned =
        new HeldObject(
            null, path, fdType, accessMode, dev, ino, new Identity(kind, details), charge, onClose);
    if (CLOSED.compareAndSet(this, 0, 1)) {
      fd.close();
    }
    return pinned;
  }

  /** Whether a bpffs pin, not an fd, keeps the object. */
  public boolean pinned() {
    return pin != null;
  }

  /** The bpffs path that keeps the object; null if an fd does. */
  public String pin() {
    return pin;
  }

  /** The held descriptor, still owned by this object; only for an object kept by its fd. */
  public int fd() {
    if (fd == null) {
      throw new IllegalStateException("kept by its pin " + pin + ", not by an fd");
    }
    return fd.value();
  }

  /**
   * A new fd for the object: from its pin (BPF_OBJ_GET with {@code bpfFileFlags}), or a duplicate
   * of the held fd. The caller owns it.
   */
  public Fd open(int bpfFileFlags) throws IOException {
    return pin != null ? Bpf.get(pin, bpfFileFlags) : FileOps.duplicate(fd.value(), 3);
  }

  public ObjectKind kind() {
    return kind;
  }

  /** The kernel's or the sim header's facts, fixed at pin time. */
  public ObjectDetails details() {
    return details;
  }

  /** The program id of a BPF or sim program; 0 for anything else. */
  public int progId() {
    return details instanceof ObjectDetails.ProgDetails p ? p.id() : 0;
  }

  /** True for a prog array, real or simulated. */
  public boolean isProgArray() {
    return details instanceof ObjectDetails.MapDetails m
        && m.mapType() == Bpf.PROG_ARRAY;
  }

  /** The occupied slots of a prog array as {slot, prog id} pairs, read now. */
  public List<int[]> progArraySlots() throws IOException {
    return ProgArrays.slots(this);
  }

  /** The map memory this object is charged for, if the broker created it. */
  public Charge charge() {
    return charge;
  }

  public FdType fdType() {
    return fdType;
  }

  /** O_RDONLY, O_WRONLY or O_RDWR: the access of the held description. */
  public int accessMode() {
    return accessMode;
  }

  public long dev() {
    return dev;
  }

  public long ino() {
    return ino;
  }

  /** The current size for files and memfds (they can grow); 0 for other objects. */
  public long size() {
    if (fdType != FdType.REGULAR && fdType != FdType.MEMFD) {
      return 0;
    }
    try {
      return FileOps.stat(fd.value()).size();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    if (CLOSED.compareAndSet(this, 0, 1)) {
      if (fd != null) {
        fd.close();
      } else {
        unpin();
      }
      onClose.run();
    }
  }

  private void unpin() {
    try {
      Files.deleteIfExists(Path.of(pin));
    } catch (IOException e) {
      java.util.logging.Logger.getLogger(HeldObject.class.getName())
          .warning("cannot remove the pin " + pin + ": " + e.getMessage());
    }
  }
}
