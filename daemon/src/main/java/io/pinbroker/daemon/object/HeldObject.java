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
import io.pinbroker.unix.SharedMemory;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * An object the broker holds for an entry, with what it learned of it at pin time: by an fd, or,
 * for a BPF object in a {@link BpfStore}, by a pin in the broker's bpffs (no fd while idle). The
 * broker never changes a held description's flags or offset. Exactly one entry owns a
 * HeldObject; closing it closes the fd or removes the pin, once.
 *
 * <p>One is kept per name, so it is lean (64 bytes): a pin is its store's shared prefix and a
 * number, not a path of its own; the details are packed into primitive fields ({@link
 * PackedDetails}); and what BPF objects share (their anonymous inode, kind and access) is one
 * shared {@link Facts}.
 */
public final class HeldObject implements AutoCloseable {
  /** The held {@link Fd}, or, for an object kept by a pin, its path's prefix. */
  private final Object keeper;
  /** The number that ends the pin's path after the prefix; -1 if the prefix is the whole path. */
  private final int pinNumber;
  private final Facts facts;
  private final Charge charge;
  private final Runnable onClose;
  private final int d0;
  private final int d1;
  private final int d2;
  private final int d3;
  private final int d4;
  private final int d5;
  private final String detailsName;
  /** 1 once closed; a field rather than an AtomicBoolean, as there is one per name held. */
  private volatile int closed;

  private static final AtomicIntegerFieldUpdater<HeldObject> CLOSED =
      AtomicIntegerFieldUpdater.newUpdater(HeldObject.class, "closed");

  /**
   * What fstat and identification said at pin time.
   *
   * @param fixedSize the size, if it cannot change (0 for objects that have none, the sealed size
   *     of a memfd sealed against growing and shrinking); -1 if it must be read each time
   */
  private record Facts(
      FdType fdType, int accessMode, long dev, long ino, ObjectKind kind, long fixedSize) {}

  /**
   * Facts of BPF objects, shared: they differ only by kind and access on one anonymous inode. A
   * kernel that gave each object an inode of its own would fill it: it stops sharing at a bound.
   */
  private static final Interner<Facts> SHARED = new Interner<>(256);

  private HeldObject(
      Object keeper, int pinNumber, Facts facts, ObjectDetails details, Charge charge,
      Runnable onClose) {
    this(keeper, pinNumber, facts, packed(details), charge, onClose);
  }

  private HeldObject(
      Object keeper, int pinNumber, Facts facts, Packed p, Charge charge, Runnable onClose) {
    this.keeper = keeper;
    this.pinNumber = pinNumber;
    this.facts = facts;
    this.charge = charge;
    this.onClose = onClose;
    this.d0 = p.ints[0];
    this.d1 = p.ints[1];
    this.d2 = p.ints[2];
    this.d3 = p.ints[3];
    this.d4 = p.ints[4];
    this.d5 = p.ints[5];
    this.detailsName = p.name;
  }

  private record Packed(int[] ints, String name) {}

  private static Packed packed(ObjectDetails details) {
    int[] ints = new int[PackedDetails.INTS];
    String name = PackedDetails.pack(details, ints);
    return new Packed(ints, name);
  }

  private Packed packed() {
    return new Packed(new int[] {d0, d1, d2, d3, d4, d5}, detailsName);
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
      Facts facts =
          new Facts(
              type, flags & FileOps.O_ACCMODE, stat.dev(), stat.ino(), identity.kind(),
              fixedSize(fd.value(), type, stat));
      if (isBpf(identity.kind())) {
        facts = SHARED.intern(facts);
      }
      return new HeldObject(fd, -1, facts, identity.details(), charge, onClose);
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

  private static boolean isBpf(ObjectKind kind) {
    return kind == ObjectKind.BPF_MAP || kind == ObjectKind.BPF_PROG || kind == ObjectKind.BPF_LINK;
  }

  private static final int SIZE_SEALS = SharedMemory.F_SEAL_GROW | SharedMemory.F_SEAL_SHRINK;

  /**
   * The size to report for ever, or -1 if it can change: regular files and memfds grow and shrink,
   * unless a memfd is sealed against both (sim objects always are, and seals stay).
   */
  private static long fixedSize(int fd, FdType type, FileStat stat) {
    return switch (type) {
      case REGULAR -> -1;
      case MEMFD -> sealed(fd) ? stat.size() : -1;
      default -> 0;
    };
  }

  private static boolean sealed(int fd) {
    try {
      return (SharedMemory.seals(fd) & SIZE_SEALS) == SIZE_SEALS;
    } catch (IOException e) {
      return false;
    }
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
  HeldObject pinnedAt(PinName pin) {
    HeldObject pinned = new HeldObject(pin.prefix(), pin.number(), facts, packed(), charge, onClose);
    if (CLOSED.compareAndSet(this, 0, 1)) {
      ((Fd) keeper).close();
    }
    return pinned;
  }

  /** Whether a bpffs pin, not an fd, keeps the object. */
  public boolean pinned() {
    return keeper instanceof String;
  }

  /** The bpffs path that keeps the object; null if an fd does. */
  public String pin() {
    return keeper instanceof String prefix ? new PinName(prefix, pinNumber).path() : null;
  }

  /** The held descriptor, still owned by this object; only for an object kept by its fd. */
  public int fd() {
    if (!(keeper instanceof Fd fd)) {
      throw new IllegalStateException("kept by its pin " + pin() + ", not by an fd");
    }
    return fd.value();
  }

  /**
   * A new fd for the object: from its pin (BPF_OBJ_GET with {@code bpfFileFlags}), or a duplicate
   * of the held fd. The caller owns it.
   */
  public Fd open(int bpfFileFlags) throws IOException {
    return pinned() ? Bpf.get(pin(), bpfFileFlags) : FileOps.duplicate(fd(), 3);
  }

  public ObjectKind kind() {
    return facts.kind();
  }

  /** The kernel's or the sim header's facts, fixed at pin time (a new record each call). */
  public ObjectDetails details() {
    return PackedDetails.unpack(facts.kind(), d0, d1, d2, d3, d4, d5, detailsName);
  }

  /** The program id of a BPF or sim program; 0 for anything else. */
  public int progId() {
    return facts.kind() == ObjectKind.BPF_PROG || facts.kind() == ObjectKind.SIM_PROG ? d1 : 0;
  }

  /** True for a prog array, real or simulated. */
  public boolean isProgArray() {
    return (facts.kind() == ObjectKind.BPF_MAP || facts.kind() == ObjectKind.SIM_MAP)
        && d0 == Bpf.PROG_ARRAY;
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
    return facts.fdType();
  }

  /** O_RDONLY, O_WRONLY or O_RDWR: the access of the held description. */
  public int accessMode() {
    return facts.accessMode();
  }

  public long dev() {
    return facts.dev();
  }

  public long ino() {
    return facts.ino();
  }

  /**
   * Whether {@link #size()} reads the size from the kernel: a regular file or a memfd that may
   * still grow or shrink. Every other object's size was fixed at pin time.
   */
  public boolean sizeChanges() {
    return facts.fixedSize() < 0;
  }

  /**
   * The current size for files and memfds: read now (one statx) if it can change, else the size
   * it had when pinned (a memfd sealed against growing and shrinking); 0 for other objects.
   */
  public long size() {
    if (facts.fixedSize() >= 0) {
      return facts.fixedSize();
    }
    try {
      return FileOps.size(fd());
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    if (CLOSED.compareAndSet(this, 0, 1)) {
      if (keeper instanceof Fd fd) {
        fd.close();
      } else {
        unpin();
      }
      onClose.run();
    }
  }

  private void unpin() {
    try {
      Files.deleteIfExists(Path.of(pin()));
    } catch (IOException e) {
      java.util.logging.Logger.getLogger(HeldObject.class.getName())
          .warning("cannot remove the pin " + pin() + ": " + e.getMessage());
    }
  }
}
