package io.pinbroker.sim;

import static io.pinbroker.sim.SimArrayTest.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.unix.Fd;
import io.pinbroker.unix.SharedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HASH semantics: flags, fullness, collisions, tombstones and their reuse. */
@ExtendWith(FdLeakCheck.class)
class SimHashTest {
  @Test
  void insertLookupReplaceDelete() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 16, 4, "h");
        SimMap m = SimMap.open(fd.value(), true)) {
      assertNull(m.lookup(Bytes.u64(1)));
      m.update(Bytes.u64(1), Bytes.filled(16, 1), SimMap.NOEXIST);
      m.update(Bytes.u64(2), Bytes.filled(16, 2), SimMap.ANY);
      assertArrayEquals(Bytes.filled(16, 1), m.lookup(Bytes.u64(1)));
      assertEquals(2, m.count());

      assertEquals(
          SimMapException.EEXIST,
          errno(() -> m.update(Bytes.u64(1), new byte[16], SimMap.NOEXIST)));
      assertEquals(
          SimMapException.ENOENT, errno(() -> m.update(Bytes.u64(3), new byte[16], SimMap.EXIST)));
      m.update(Bytes.u64(1), Bytes.filled(16, 9), SimMap.EXIST);
      m.update(Bytes.u64(2), Bytes.filled(16, 8), SimMap.ANY);
      assertArrayEquals(Bytes.filled(16, 9), m.lookup(Bytes.u64(1)));
      assertArrayEquals(Bytes.filled(16, 8), m.lookup(Bytes.u64(2)));
      assertEquals(2, m.count());

      assertTrue(m.delete(Bytes.u64(1)));
      assertFalse(m.delete(Bytes.u64(1)));
      assertNull(m.lookup(Bytes.u64(1)));
      assertEquals(1, m.count());

      assertEquals(SimMapException.EINVAL, errno(() -> m.lookup(new byte[4])));
      assertEquals(SimMapException.EINVAL, errno(() -> m.delete(null)));
      assertEquals(
          SimMapException.EINVAL, errno(() -> m.update(Bytes.u64(5), new byte[15], SimMap.ANY)));
      assertEquals(SimMapException.EINVAL, errno(() -> m.update(Bytes.u64(5), new byte[16], 3)));
    }
  }

  @Test
  void fullMapRefusesNewKeysButNotReplacements() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 4, 4, 3, "full");
        SimMap m = SimMap.open(fd.value(), true)) {
      for (int i = 0; i < 3; i++) {
        m.update(Bytes.u32(i), Bytes.u32(i), SimMap.ANY);
      }
      assertEquals(
          SimMapException.E2BIG, errno(() -> m.update(Bytes.u32(7), Bytes.u32(7), SimMap.ANY)));
      assertEquals(
          SimMapException.E2BIG, errno(() -> m.update(Bytes.u32(7), Bytes.u32(7), SimMap.NOEXIST)));
      assertEquals(
          SimMapException.ENOENT, errno(() -> m.update(Bytes.u32(7), Bytes.u32(7), SimMap.EXIST)));
      assertEquals(
          SimMapException.EEXIST,
          errno(() -> m.update(Bytes.u32(1), Bytes.u32(7), SimMap.NOEXIST)));
      m.update(Bytes.u32(1), Bytes.u32(70), SimMap.ANY);
      assertEquals(70, Bytes.readU32(m.lookup(Bytes.u32(1))));
      assertTrue(m.delete(Bytes.u32(0)));
      m.update(Bytes.u32(7), Bytes.u32(7), SimMap.NOEXIST);
      assertEquals(3, m.count());
    }
  }

  @Test
  void hashMatchesTheVectorsOfTheSpec() {
    assertEquals(0x4997eb7b, HashTable.hash(new byte[4]));
    assertEquals(0x62376cf6, HashTable.hash(Bytes.u32(1)));
    assertEquals(0xa784f79a, HashTable.hash(Bytes.u64(1)));
    assertEquals(0xe89ff54e, HashTable.hash(new byte[] {'a', 'b', 'c', 'd'}));
    byte[] sixteen = new byte[16];
    for (int i = 0; i < 16; i++) {
      sixteen[i] = (byte) (i + 1);
    }
    assertEquals(0x26236472, HashTable.hash(sixteen));
  }

  /** Keys of 8 bytes whose home bucket, among {@code buckets}, is bucket 5. */
  static List<byte[]> collidingKeys(int buckets, int n) {
    List<byte[]> keys = new ArrayList<>();
    for (long k = 0; keys.size() < n; k++) {
      byte[] key = Bytes.u64(k);
      if ((HashTable.hash(key) & (buckets - 1)) == 5) {
        keys.add(key);
      }
    }
    return keys;
  }

  @Test
  void collidingKeysProbeLinearlyAndTombstonesAreReused() throws Exception {
    // max_entries 8 -> 16 buckets of round8(4 + 8 + 8) = 24 bytes.
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 8, 8, "coll");
        SimMap m = SimMap.open(fd.value(), true);
        Arena a = Arena.ofConfined()) {
      MemorySegment raw = SharedMemory.map(fd.value(), 64 + 16 * 24, false, a);
      List<byte[]> keys = collidingKeys(16, 5);
      for (int i = 0; i < 5; i++) {
        m.update(keys.get(i), Bytes.u64(i), SimMap.NOEXIST);
        assertEquals(HashTable.FULL, state(raw, 5 + i), "bucket " + (5 + i));
      }
      assertTrue(m.delete(keys.get(2)));
      assertEquals(HashTable.TOMBSTONE, state(raw, 7));
      assertEquals(1, tombstones(raw));
      for (int i : new int[] {0, 1, 3, 4}) {
        assertArrayEquals(Bytes.u64(i), m.lookup(keys.get(i)), "key " + i + " past the tombstone");
      }
      byte[] newcomer = collidingKeys(16, 6).get(5);
      m.update(newcomer, Bytes.u64(99), SimMap.NOEXIST);
      assertEquals(HashTable.FULL, state(raw, 7), "the tombstone is reused");
      assertEquals(0, tombstones(raw));

      // Deleting the end of a run empties it, and the tombstones right before it.
      assertTrue(m.delete(keys.get(3)));
      assertEquals(HashTable.TOMBSTONE, state(raw, 8));
      assertTrue(m.delete(keys.get(4)));
      assertEquals(HashTable.EMPTY, state(raw, 9));
      assertEquals(HashTable.EMPTY, state(raw, 8));
      assertEquals(0, tombstones(raw));
      assertEquals(3, m.count());
    }
  }

  @Test
  void manyRandomCyclesAgreeWithAModel() throws Exception {
    Random rnd = new Random(42);
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 8, 32, "model");
        SimMap m = SimMap.open(fd.value(), true);
        Arena a = Arena.ofConfined()) {
      MemorySegment raw = SharedMemory.map(fd.value(), 64 + 64 * 24, false, a);
      Map<Long, Long> model = new HashMap<>();
      int rebuilds = 0;
      for (int op = 0; op < 40_000; op++) {
        long k = rnd.nextInt(200);
        long v = rnd.nextLong();
        if (rnd.nextInt(3) == 0) {
          assertEquals(model.remove(k) != null, m.delete(Bytes.u64(k)));
        } else if (model.containsKey(k) || model.size() < 32) {
          int before = tombstones(raw);
          m.update(Bytes.u64(k), Bytes.u64(v), SimMap.ANY);
          if (model.put(k, v) == null) {
            assertTrue(tombstones(raw) <= 64 / 4, "an insert purges tombstones over a quarter");
            rebuilds += before > 64 / 4 ? 1 : 0;
          }
        } else {
          assertEquals(
              SimMapException.E2BIG, errno(() -> m.update(Bytes.u64(k), Bytes.u64(v), SimMap.ANY)));
        }
        if (op % 97 == 0) {
          assertAgrees(model, m, raw);
        }
      }
      assertAgrees(model, m, raw);
      assertTrue(rebuilds > 0, "the walk went through rebuilds");
    }
  }

  private static void assertAgrees(Map<Long, Long> model, SimMap m, MemorySegment raw)
      throws SimMapException {
    assertEquals(model.size(), m.count());
    for (Map.Entry<Long, Long> e : model.entrySet()) {
      assertArrayEquals(Bytes.u64(e.getValue()), m.lookup(Bytes.u64(e.getKey())));
    }
    Map<Long, Long> seen = new HashMap<>();
    m.forEach((k, v) -> seen.put(le64(k), le64(v)));
    assertEquals(model, seen);
    int tombs = 0;
    for (int i = 0; i < 64; i++) {
      tombs += state(raw, i) == HashTable.TOMBSTONE ? 1 : 0;
    }
    assertEquals(tombs, tombstones(raw), "the header's tombstone count");
  }

  static long le64(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  static int state(MemorySegment raw, int bucket) {
    return raw.get(SimFormat.U32, 64 + bucket * 24L);
  }

  static int tombstones(MemorySegment raw) {
    return raw.get(SimFormat.U32, 60);
  }
}
