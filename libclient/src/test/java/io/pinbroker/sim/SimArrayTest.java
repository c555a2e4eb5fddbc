package io.pinbroker.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.unix.Fd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ARRAY and PROG_ARRAY semantics, and argument checks at creation. */
@ExtendWith(FdLeakCheck.class)
class SimArrayTest {
  static int errno(Executable e) {
    return assertThrows(SimMapException.class, e::run).errno();
  }

  interface Executable {
    void run() throws Exception;
  }

  @Test
  void arrayElementsExistZeroedAndCannotBeDeleted() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.ARRAY, 4, 12, 10, "arr");
        SimMap m = SimMap.open(fd.value(), true)) {
      assertEquals(10, m.count());
      assertArrayEquals(new byte[12], m.lookup(Bytes.u32(9)));
      assertNull(m.lookup(Bytes.u32(10)), "past max_entries");
      assertNull(m.lookup(Bytes.u32(-1)), "u32 index 0xffffffff");

      m.update(Bytes.u32(3), Bytes.filled(12, 7), SimMap.ANY);
      assertArrayEquals(Bytes.filled(12, 7), m.lookup(Bytes.u32(3)));
      m.update(Bytes.u32(3), Bytes.filled(12, 8), SimMap.EXIST);
      assertArrayEquals(Bytes.filled(12, 8), m.lookup(Bytes.u32(3)));

      assertEquals(
          SimMapException.EEXIST,
          errno(() -> m.update(Bytes.u32(4), new byte[12], SimMap.NOEXIST)));
      assertEquals(
          SimMapException.E2BIG, errno(() -> m.update(Bytes.u32(10), new byte[12], SimMap.ANY)));
      assertEquals(SimMapException.EINVAL, errno(() -> m.delete(Bytes.u32(3))));
      assertEquals(
          SimMapException.EINVAL, errno(() -> m.update(Bytes.u32(3), new byte[11], SimMap.ANY)));
      assertEquals(
          SimMapException.EINVAL, errno(() -> m.update(new byte[8], new byte[12], SimMap.ANY)));
      assertEquals(SimMapException.EINVAL, errno(() -> m.lookup(new byte[3])));
      assertEquals(SimMapException.EINVAL, errno(() -> m.update(Bytes.u32(3), new byte[12], 4)));
      assertEquals(10, m.count());

      List<Integer> keys = new ArrayList<>();
      m.forEach(
          (k, v) -> {
            int i = Bytes.readU32(k);
            keys.add(i);
            assertArrayEquals(i == 3 ? Bytes.filled(12, 8) : new byte[12], v);
          });
      assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), keys);
    }
  }

  @Test
  void progArraySlotsAreEmptyUntilSetAndCanBeDeleted() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.PROG_ARRAY, 4, 4, 4, "jmp");
        SimMap m = SimMap.open(fd.value(), true)) {
      assertEquals(0, m.count());
      assertNull(m.lookup(Bytes.u32(0)));
      assertEquals(
          SimMapException.ENOENT, errno(() -> m.update(Bytes.u32(0), Bytes.u32(5), SimMap.EXIST)));
      m.update(Bytes.u32(0), Bytes.u32(5), SimMap.NOEXIST);
      assertEquals(
          SimMapException.EEXIST,
          errno(() -> m.update(Bytes.u32(0), Bytes.u32(6), SimMap.NOEXIST)));
      m.update(Bytes.u32(0), Bytes.u32(6), SimMap.EXIST);
      m.update(Bytes.u32(2), Bytes.u32(9), SimMap.ANY);
      assertEquals(6, Bytes.readU32(m.lookup(Bytes.u32(0))));
      assertEquals(2, m.count());
      assertEquals(
          SimMapException.EINVAL, errno(() -> m.update(Bytes.u32(1), Bytes.u32(0), SimMap.ANY)));
      assertEquals(
          SimMapException.E2BIG, errno(() -> m.update(Bytes.u32(4), Bytes.u32(1), SimMap.ANY)));
      assertEquals(SimMapException.EINVAL, errno(() -> m.delete(Bytes.u32(4))));

      List<String> seen = new ArrayList<>();
      m.forEach((k, v) -> seen.add(Bytes.readU32(k) + "=" + Bytes.readU32(v)));
      assertEquals(List.of("0=6", "2=9"), seen);

      assertTrue(m.delete(Bytes.u32(0)));
      assertFalse(m.delete(Bytes.u32(0)));
      assertNull(m.lookup(Bytes.u32(0)));
      assertEquals(1, m.count());
    }
  }

  @Test
  void createRefusesBadArguments() {
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.ARRAY, 8, 4, 4, "a"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.PROG_ARRAY, 4, 8, 4, "a"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.HASH, 0, 4, 4, "a"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.HASH, 4, -1, 4, "a"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.HASH, 4, 4, 0, "a"));
    assertThrows(IllegalArgumentException.class, () -> SimMap.create(null, 4, 4, 4, "a"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SimMap.create(SimMapType.HASH, 512, 512, 1 << 20, "big"),
        "over 1 GiB");
    assertThrows(
        IllegalArgumentException.class,
        () -> SimMap.create(SimMapType.HASH, 4, 4, Integer.MAX_VALUE, "big"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SimMap.create(SimMapType.HASH, 4, 4, 4, "sixteen_chars_xx"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.HASH, 4, 4, 4, "no/slash"));
    assertThrows(
        IllegalArgumentException.class, () -> SimMap.create(SimMapType.HASH, 4, 4, 4, null));
  }
}
