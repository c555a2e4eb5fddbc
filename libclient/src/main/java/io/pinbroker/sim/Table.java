package io.pinbroker.sim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The data area of a mapped sim-map, one subclass per map type. Read methods ({@link #lookup},
 * {@link #readSlot}) run inside a seqlock read section and must tolerate torn, garbage data (they
 * stay in bounds and terminate; the caller throws their result away when the section turns out
 * invalid). Write methods run with the writer lock held and open the write section themselves,
 * after every check has passed, so a refused operation never bumps the sequence.
 *
 * <p>Keys and values have been length-checked by {@link SimMap} before they get here.
 */
abstract sealed class Table permits HashTable, ArrayTable, ProgArrayTable {
  private static final VarHandle WORD =
      ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

  final MemorySegment seg;
  final MapHeader header;
  final SeqLock lock;

  Table(MemorySegment seg, MapHeader header, SeqLock lock) {
    this.seg = seg;
    this.header = header;
    this.lock = lock;
  }

  static Table of(MemorySegment seg, MapHeader header, SeqLock lock) {
    return switch (header.type()) {
      case HASH -> new HashTable(seg, header, lock);
      case ARRAY -> new ArrayTable(seg, header, lock);
      case PROG_ARRAY -> new ProgArrayTable(seg, header, lock);
    };
  }

  /** A copy of the value stored under {@code key}, or null. Inside a read section. */
  abstract byte[] lookup(byte[] key);

  /** Fills {@code key} and {@code value} from slot {@code i} if it holds an entry. */
  abstract boolean readSlot(long i, byte[] key, byte[] value);

  /** Under the writer lock. */
  abstract void update(byte[] key, byte[] value, int flags) throws SimMapException;

  /** Under the writer lock. False if there was no such entry. */
  abstract boolean delete(byte[] key) throws SimMapException;

  /** Recomputes the header's counts from the data. Inside a write section. */
  abstract void recount();

  final int count() {
    return (int) WORD.getAcquire(seg, MapHeader.COUNT);
  }

  final void setCount(int n) {
    WORD.setOpaque(seg, MapHeader.COUNT, n);
  }

  final int tombstones() {
    return (int) WORD.getOpaque(seg, MapHeader.TOMBSTONES);
  }

  final void setTombstones(int n) {
    WORD.setOpaque(seg, MapHeader.TOMBSTONES, n);
  }

  final byte[] copy(long offset, int length) {
    byte[] out = new byte[length];
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset, out, 0, length);
    return out;
  }

  final void copyInto(long offset, byte[] dst) {
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset, dst, 0, dst.length);
  }

  final void store(byte[] src, long offset) {
    MemorySegment.copy(src, 0, seg, ValueLayout.JAVA_BYTE, offset, src.length);
  }

  /** The u32 little-endian index an ARRAY or PROG_ARRAY key holds, as a non-negative long. */
  static long index(byte[] key) {
    return (key[0] & 0xFFL)
        | (key[1] & 0xFFL) << 8
        | (key[2] & 0xFFL) << 16
        | (key[3] & 0xFFL) << 24;
  }

  static void putIndex(byte[] key, long i) {
    key[0] = (byte) i;
    key[1] = (byte) (i >>> 8);
    key[2] = (byte) (i >>> 16);
    key[3] = (byte) (i >>> 24);
  }
}
