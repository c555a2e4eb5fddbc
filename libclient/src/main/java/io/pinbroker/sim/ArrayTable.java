package io.pinbroker.sim;

import java.lang.foreign.MemorySegment;

/**
 * BPF_MAP_TYPE_ARRAY: slot {@code i} holds the value of key {@code i}; every slot exists from
 * creation (zero-filled) and cannot be deleted.
 */
final class ArrayTable extends Table {
  ArrayTable(MemorySegment seg, MapHeader header, SeqLock lock) {
    super(seg, header, lock);
  }

  @Override
  byte[] lookup(byte[] key) {
    long i = index(key);
    return i < header.maxEntries() ? copy(header.slot(i), header.valueSize()) : null;
  }

  @Override
  boolean readSlot(long i, byte[] key, byte[] value) {
    putIndex(key, i);
    copyInto(header.slot(i), value);
    return true;
  }

  @Override
  void update(byte[] key, byte[] value, int flags) throws SimMapException {
    long i = index(key);
    if (i >= header.maxEntries()) {
      throw new SimMapException(SimMapException.E2BIG, "index " + i + " >= max_entries");
    }
    if (flags == SimMap.NOEXIST) {
      throw new SimMapException(SimMapException.EEXIST, "every array element exists");
    }
    lock.beginWrite();
    try {
      store(value, header.slot(i));
    } finally {
      lock.endWrite();
    }
  }

  @Override
  boolean delete(byte[] key) throws SimMapException {
    throw new SimMapException(SimMapException.EINVAL, "array elements cannot be deleted");
  }

  @Override
  void recount() {
    setCount(header.maxEntries());
  }
}
