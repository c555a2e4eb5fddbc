package io.pinbroker.sim;

import static io.pinbroker.sim.SimFormat.U32;

import java.lang.foreign.MemorySegment;

/**
 * BPF_MAP_TYPE_HASH: open addressing with linear probing over a power-of-two number of buckets (at
 * least twice max_entries). A bucket is a u32 state word, the key, the value, padded to 8 bytes.
 * Deleted buckets become tombstones, unless the next bucket is empty, in which case the bucket and
 * the tombstones just before it become empty again. When tombstones exceed a quarter of the
 * buckets, an insert first rebuilds the table in place.
 */
final class HashTable extends Table {
  static final int EMPTY = 0;
  static final int FULL = 1;
  static final int TOMBSTONE = 2;

  private final long buckets;
  private final int keySize;
  private final int valueSize;

  HashTable(MemorySegment seg, MapHeader header, SeqLock lock) {
    super(seg, header, lock);
    this.buckets = header.slots();
    this.keySize = header.keySize();
    this.valueSize = header.valueSize();
  }

  /** FNV-1a (32 bit) over the key bytes, then MurmurHash3's fmix32 finalizer. */
  static int hash(byte[] key) {
    int h = 0x811c9dc5;
    for (byte b : key) {
      h ^= b & 0xFF;
      h *= 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private long home(byte[] key) {
    return (hash(key) & 0xFFFFFFFFL) & (buckets - 1);
  }

  private int state(long i) {
    return seg.get(U32, header.slot(i));
  }

  private void setState(long i, int s) {
    seg.set(U32, header.slot(i), s);
  }

  private long keyAt(long i) {
    return header.slot(i) + 4;
  }

  private long valueAt(long i) {
    return header.slot(i) + 4 + keySize;
  }

  private boolean keyEquals(long i, byte[] key) {
    long k = keyAt(i);
    return MemorySegment.mismatch(seg, k, k + keySize, MemorySegment.ofArray(key), 0, keySize)
        == -1;
  }

  /**
   * Probes for {@code key}: returns its bucket, or {@code -1 - slot} where slot is the first empty
   * or tombstone bucket on the probe path (where an insert goes), or {@code Long.MIN_VALUE} if the
   * path has no such bucket. Visits at most every bucket once, even on garbage.
   */
  private long probe(byte[] key) {
    long free = -1;
    long i = home(key);
    for (long n = 0; n < buckets; n++, i = (i + 1) & (buckets - 1)) {
      int s = state(i);
      if (s == EMPTY) {
        return -1 - (free >= 0 ? free : i);
      }
      if (s == FULL && keyEquals(i, key)) {
        return i;
      }
      if (s != FULL && free < 0) {
        free = i;
      }
    }
    return free >= 0 ? -1 - free : Long.MIN_VALUE;
  }

  @Override
  byte[] lookup(byte[] key) {
    long i = probe(key);
    return i >= 0 ? copy(valueAt(i), valueSize) : null;
  }

  @Override
  boolean readSlot(long i, byte[] key, byte[] value) {
    if (state(i) != FULL) {
      return false;
    }
    copyInto(keyAt(i), key);
    copyInto(valueAt(i), value);
    return true;
  }

  @Override
  void update(byte[] key, byte[] value, int flags) throws SimMapException {
    long i = probe(key);
    if (i >= 0) {
      if (flags == SimMap.NOEXIST) {
        throw new SimMapException(SimMapException.EEXIST, "key exists");
      }
      lock.beginWrite();
      try {
        store(value, valueAt(i));
      } finally {
        lock.endWrite();
      }
      return;
    }
    if (flags == SimMap.EXIST) {
      throw new SimMapException(SimMapException.ENOENT, "no such key");
    }
    int count = count();
    if (count >= header.maxEntries()) {
      throw new SimMapException(SimMapException.E2BIG, "map is full (" + count + " entries)");
    }
    lock.beginWrite();
    try {
      if (i == Long.MIN_VALUE || tombstones() > buckets / 4) {
        rebuild();
        i = probe(key);
      }
      long slot = -1 - i;
      if (state(slot) == TOMBSTONE) {
        setTombstones(tombstones() - 1);
      }
      store(key, keyAt(slot));
      store(value, valueAt(slot));
      setState(slot, FULL);
      setCount(count + 1);
    } finally {
      lock.endWrite();
    }
  }

  @Override
  boolean delete(byte[] key) {
    long i = probe(key);
    if (i < 0) {
      return false;
    }
    lock.beginWrite();
    try {
      long mask = buckets - 1;
      if (state((i + 1) & mask) == EMPTY) {
        setState(i, EMPTY);
        int cleared = 0;
        for (long j = (i - 1) & mask; j != i && state(j) == TOMBSTONE; j = (j - 1) & mask) {
          setState(j, EMPTY);
          cleared++;
        }
        setTombstones(tombstones() - cleared);
      } else {
        setState(i, TOMBSTONE);
        setTombstones(tombstones() + 1);
      }
      setCount(count() - 1);
    } finally {
      lock.endWrite();
    }
    return true;
  }

  /** Reinserts every entry into a table without tombstones. Inside a write section. */
  private void rebuild() {
    int n = 0;
    for (long i = 0; i < buckets; i++) {
      if (state(i) == FULL) {
        n++;
      }
    }
    byte[][] keys = new byte[n][];
    byte[][] values = new byte[n][];
    n = 0;
    for (long i = 0; i < buckets; i++) {
      int s = state(i);
      if (s == FULL) {
        keys[n] = copy(keyAt(i), keySize);
        values[n] = copy(valueAt(i), valueSize);
        n++;
      }
      if (s != EMPTY) {
        setState(i, EMPTY);
      }
    }
    setTombstones(0);
    int kept = 0;
    for (int e = 0; e < n; e++) {
      long p = probe(keys[e]);
      if (p >= 0) {
        continue; // a duplicate key, possible only after a writer died mid-update
      }
      long slot = -1 - p;
      store(keys[e], keyAt(slot));
      store(values[e], valueAt(slot));
      setState(slot, FULL);
      kept++;
    }
    setCount(kept);
  }

  @Override
  void recount() {
    int full = 0;
    int tombs = 0;
    for (long i = 0; i < buckets; i++) {
      int s = state(i);
      if (s == FULL) {
        full++;
      } else if (s != EMPTY) {
        tombs++;
      }
    }
    setCount(full);
    setTombstones(tombs);
  }
}
