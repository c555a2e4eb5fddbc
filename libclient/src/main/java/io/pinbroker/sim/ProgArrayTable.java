package io.pinbroker.sim;

import static io.pinbroker.sim.SimFormat.U32;

import java.lang.foreign.MemorySegment;

/**
 * BPF_MAP_TYPE_PROG_ARRAY: slot {@code i} holds a u32 program id for key {@code i}; 0 means empty.
 * Unlike a plain array, slots can be empty and deleted; NOEXIST and EXIST refer to whether the slot
 * is occupied.
 */
final class ProgArrayTable extends Table {
  ProgArrayTable(MemorySegment seg, MapHeader header, SeqLock lock) {
    super(seg, header, lock);
  }

  private int id(long i) {
    return seg.get(U32, header.slot(i));
  }

  @Override
  byte[] lookup(byte[] key) {
    long i = index(key);
    if (i >= header.maxEntries()) {
      return null;
    }
    byte[] v = copy(header.slot(i), 4);
    return (v[0] | v[1] | v[2] | v[3]) == 0 ? null : v;
  }

  @Override
  boolean readSlot(long i, byte[] key, byte[] value) {
    putIndex(key, i);
    copyInto(header.slot(i), value);
    return (value[0] | value[1] | value[2] | value[3]) != 0;
  }

  @Override
  void update(byte[] key, byte[] value, int flags) throws SimMapException {
    long i = index(key);
    if (index(value) == 0) {
      throw new SimMapException(SimMapException.EINVAL, "program id 0 means empty; use delete");
    }
    if (i >= header.maxEntries()) {
      throw new SimMapException(SimMapException.E2BIG, "index " + i + " >= max_entries");
    }
    boolean occupied = id(i) != 0;
    if (flags == SimMap.NOEXIST && occupied) {
      throw new SimMapException(SimMapException.EEXIST, "slot " + i + " holds a program");
    }
    if (flags == SimMap.EXIST && !occupied) {
      throw new SimMapException(SimMapException.ENOENT, "slot " + i + " is empty");
    }
    lock.beginWrite();
    try {
      store(value, header.slot(i));
      if (!occupied) {
        setCount(count() + 1);
      }
    } finally {
      lock.endWrite();
    }
  }

  @Override
  boolean delete(byte[] key) throws SimMapException {
    long i = index(key);
    if (i >= header.maxEntries()) {
      throw new SimMapException(SimMapException.EINVAL, "index " + i + " >= max_entries");
    }
    if (id(i) == 0) {
      return false;
    }
    lock.beginWrite();
    try {
      seg.set(U32, header.slot(i), 0);
      setCount(count() - 1);
    } finally {
      lock.endWrite();
    }
    return true;
  }

  @Override
  void recount() {
    int n = 0;
    for (long i = 0; i < header.maxEntries(); i++) {
      if (id(i) != 0) {
        n++;
      }
    }
    setCount(n);
  }
}
