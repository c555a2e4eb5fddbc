package io.pinbroker.sim;

import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * A simulated BPF map: a memfd laid out as protocol/SIMOBJECTS.md describes, mapped shared into
 * this process. Several processes may map the same memfd and use it at once; writers serialise on a
 * spinlock in the file, readers use a seqlock and never store, so a read-only mapping of an
 * O_RDONLY descriptor is enough to read.
 *
 * <p>Ownership: {@link #create} returns a descriptor the caller owns. {@link #open} only borrows
 * its fd (the mapping holds its own reference to the file, so the fd may be closed afterwards); the
 * {@code SimMap} owns the mapping and {@link #close()} removes it.
 *
 * <p>Thread-safety: all operations may be called from any number of threads and processes at once.
 * {@link #close()} must not race with operations on the same instance: an operation that runs after
 * or during close fails with {@link IllegalStateException}.
 */
public final class SimMap implements AutoCloseable {
  /** Update flag BPF_ANY: create or replace. */
  public static final int ANY = 0;

  /** Update flag BPF_NOEXIST: create only; EEXIST if present. */
  public static final int NOEXIST = 1;

  /** Update flag BPF_EXIST: replace only; ENOENT if absent. */
  public static final int EXIST = 2;

  static final int MAP_SEALS =
      SharedMemory.F_SEAL_SEAL | SharedMemory.F_SEAL_SHRINK | SharedMemory.F_SEAL_GROW;

  private final Arena arena;
  private final MapHeader header;
  private final SeqLock lock;
  private final Table table;
  private final boolean writable;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SimMap(Arena arena, MemorySegment seg, MapHeader header, boolean writable) {
    this.arena = arena;
    this.header = header;
    this.lock = new SeqLock(seg);
    this.table = Table.of(seg, header, lock);
    this.writable = writable;
  }

  /**
   * Creates an empty map (ARRAY: every element zero) in a new memfd sealed against resizing. The
   * caller owns the returned descriptor (O_RDWR, close-on-exec).
   *
   * @param name at most 15 characters of {@code [A-Za-z0-9_.]}, may be empty
   * @throws IllegalArgumentException on sizes that are not positive, a key_size other than 4 for
   *     ARRAY and PROG_ARRAY, a value_size other than 4 for PROG_ARRAY, a file over 1 GiB, or a bad
   *     name
   */
  public static Fd create(SimMapType type, int keySize, int valueSize, int maxEntries, String name)
      throws IOException {
    SimFormat.encodeName(name);
    MapHeader h = MapHeader.of(type, keySize, valueSize, maxEntries, 0, name);
    Fd fd = FileOps.memfd("pinbroker-sim-map:" + name, h.fileBytes(), FileOps.MFD_ALLOW_SEALING);
    try {
      try (Arena a = Arena.ofConfined()) {
        h.writeTo(SharedMemory.map(fd.value(), MapHeader.DATA, true, a));
      }
      SharedMemory.addSeals(fd.value(), MAP_SEALS);
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      fd.close();
      throw e;
    }
  }

  /**
   * Checks the header of the map behind {@code fd} and maps it, read-write or read-only. The fd
   * stays the caller's.
   *
   * @throws SimFormatException when the file is not a valid sim-map
   * @throws ErrnoException from mmap, e.g. EACCES when {@code writable} and fd is O_RDONLY
   */
  public static SimMap open(int fd, boolean writable) throws IOException {
    MapHeader h = MapHeader.read(fd).header();
    Arena arena = Arena.ofShared();
    try {
      MemorySegment seg = SharedMemory.map(fd, h.fileBytes(), writable, arena);
      return new SimMap(arena, seg, h, writable);
    } catch (IOException | RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /** The header of the map behind {@code fd}, checked as {@link #open} checks it, unmapped. */
  public static SimMapInfo info(int fd) throws IOException {
    MapHeader.Read r = MapHeader.read(fd);
    MapHeader h = r.header();
    return new SimMapInfo(
        h.type(), h.keySize(), h.valueSize(), h.maxEntries(), h.flags(), h.name(), r.count());
  }

  /** A copy of the value stored under {@code key}, or null when there is none. */
  public byte[] lookup(byte[] key) throws SimMapException {
    checkLength("key", key, header.keySize());
    while (true) {
      int s = lock.readBegin();
      byte[] v = table.lookup(key);
      if (lock.readValid(s)) {
        return v;
      }
    }
  }

  /**
   * Stores {@code value} under {@code key}.
   *
   * @param flags {@link #ANY}, {@link #NOEXIST} or {@link #EXIST}
   * @throws SimMapException EPERM through a read-only SimMap; EINVAL for bad lengths or flags;
   *     EEXIST, ENOENT, E2BIG as the kernel's map of this type would return them; EBUSY when the
   *     writer lock stays held by a live process for 5 s
   */
  public void update(byte[] key, byte[] value, int flags) throws SimMapException {
    checkWritable();
    checkLength("key", key, header.keySize());
    checkLength("value", value, header.valueSize());
    if (flags != ANY && flags != NOEXIST && flags != EXIST) {
      throw new SimMapException(SimMapException.EINVAL, "unknown update flags " + flags);
    }
    lockForWrite();
    try {
      table.update(key, value, flags);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the entry under {@code key}; false if there was none.
   *
   * @throws SimMapException EPERM through a read-only SimMap; EINVAL for an ARRAY (elements cannot
   *     be deleted), a bad key length, or a PROG_ARRAY index out of range
   */
  public boolean delete(byte[] key) throws SimMapException {
    checkWritable();
    checkLength("key", key, header.keySize());
    lockForWrite();
    try {
      return table.delete(key);
    } finally {
      lock.unlock();
    }
  }

  private void lockForWrite() throws SimMapException {
    if (lock.lock()) {
      lock.beginWrite();
      try {
        table.recount();
      } finally {
        lock.endWrite();
      }
    }
  }

  /**
   * Calls {@code action} with copies of every entry's key and value, in slot order. Each entry is a
   * consistent snapshot (read under the seqlock); the walk as a whole is not: entries inserted or
   * deleted meanwhile may or may not be seen, and a HASH rebuild during the walk may make it miss
   * or repeat an entry. {@code action} runs with no lock held.
   */
  public void forEach(BiConsumer<byte[], byte[]> action) throws SimMapException {
    byte[] k = new byte[header.keySize()];
    byte[] v = new byte[header.valueSize()];
    for (long i = 0; i < header.slots(); i++) {
      boolean present;
      while (true) {
        int s = lock.readBegin();
        present = table.readSlot(i, k, v);
        if (lock.readValid(s)) {
          break;
        }
      }
      if (present) {
        action.accept(k.clone(), v.clone());
      }
    }
  }

  /** The number of entries (for ARRAY always max_entries). */
  public int count() {
    return table.count();
  }

  public SimMapType type() {
    return header.type();
  }

  public int keySize() {
    return header.keySize();
  }

  public int valueSize() {
    return header.valueSize();
  }

  public int maxEntries() {
    return header.maxEntries();
  }

  public int flags() {
    return header.flags();
  }

  public String name() {
    return header.name();
  }

  /** Whether this instance mapped the file writable (updates and deletes allowed). */
  public boolean writable() {
    return writable;
  }

  /** Unmaps the file. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      arena.close();
    }
  }

  private void checkWritable() throws SimMapException {
    if (!writable) {
      throw new SimMapException(SimMapException.EPERM, "read-only mapping");
    }
  }

  private static void checkLength(String what, byte[] b, int size) throws SimMapException {
    if (b == null || b.length != size) {
      throw new SimMapException(
          SimMapException.EINVAL,
          what + " must be " + size + " bytes, got " + (b == null ? "null" : b.length));
    }
  }

  @Override
  public String toString() {
    return "SimMap("
        + header.type()
        + " \""
        + header.name()
        + "\" key "
        + header.keySize()
        + " value "
        + header.valueSize()
        + " max "
        + header.maxEntries()
        + (writable ? ", rw)" : ", ro)");
  }
}
