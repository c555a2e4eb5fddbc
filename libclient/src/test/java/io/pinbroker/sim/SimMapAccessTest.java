package io.pinbroker.sim;

import static io.pinbroker.sim.SimArrayTest.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SharedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Read-only access, info, identify, and headers that must be refused. */
@ExtendWith(FdLeakCheck.class)
class SimMapAccessTest {
  private static final int EACCES = 13;

  @Test
  void readOnlyDescriptorCanReadButNotWrite() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 4, 4, 8, "ro");
        Fd ro = FileOps.reopen(fd.value(), FileOps.O_RDONLY)) {
      try (SimMap rw = SimMap.open(fd.value(), true)) {
        rw.update(Bytes.u32(1), Bytes.u32(10), SimMap.ANY);
        rw.update(Bytes.u32(2), Bytes.u32(20), SimMap.ANY);
      }
      try (SimMap m = SimMap.open(ro.value(), false)) {
        assertFalse(m.writable());
        assertEquals(10, Bytes.readU32(m.lookup(Bytes.u32(1))));
        assertNull(m.lookup(Bytes.u32(3)));
        List<Integer> keys = new ArrayList<>();
        m.forEach((k, v) -> keys.add(Bytes.readU32(k)));
        assertEquals(2, keys.size());
        assertEquals(2, m.count());
        assertEquals(
            SimMapException.EPERM, errno(() -> m.update(Bytes.u32(1), Bytes.u32(1), SimMap.ANY)));
        assertEquals(SimMapException.EPERM, errno(() -> m.delete(Bytes.u32(1))));
        assertEquals(10, Bytes.readU32(m.lookup(Bytes.u32(1))), "nothing changed");
      }
      ErrnoException e = assertThrows(ErrnoException.class, () -> SimMap.open(ro.value(), true));
      assertEquals(EACCES, e.errno());
    }
  }

  @Test
  void infoReadsTheHeaderWithoutKeepingAMapping() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 24, 100, "flows.v4")) {
      try (SimMap m = SimMap.open(fd.value(), true)) {
        m.update(Bytes.u64(7), new byte[24], SimMap.ANY);
        assertEquals("flows.v4", m.name());
        assertEquals(SimMapType.HASH, m.type());
      }
      SimMapInfo info = SimMap.info(fd.value());
      assertEquals(new SimMapInfo(SimMapType.HASH, 8, 24, 100, 0, "flows.v4", 1), info);
      int seals = SharedMemory.seals(fd.value());
      assertEquals(SimMap.MAP_SEALS, seals & 0xF, "sealed against resizing, not against writes");
      // 256 buckets (>= 2 * 100) of round8(4 + 8 + 24) = 40 bytes.
      assertEquals(64 + 256 * 40, SharedMemory.size(fd.value()));
    }
  }

  @Test
  void identifyTellsByMagicAndLeavesTheOffsetAlone(@TempDir Path dir) throws Exception {
    try (Fd map = SimMap.create(SimMapType.ARRAY, 4, 4, 1, "");
        Fd prog = SimProg.create(1, new long[] {0x95}, "p");
        Fd plain = FileOps.memfd("plain", 4096, 0);
        Fd root = FileOps.open("/", FileOps.O_RDONLY)) {
      assertEquals(SimObjectKind.SIM_MAP, SimObjects.identify(map.value()));
      assertEquals(SimObjectKind.SIM_PROG, SimObjects.identify(prog.value()));
      assertNull(SimObjects.identify(plain.value()));
      assertNull(SimObjects.identify(root.value()));
      assertEquals(
          "0",
          Files.readAllLines(Path.of("/proc/self/fdinfo/" + map.value()))
              .get(0)
              .substring(4)
              .trim(),
          "pos stays 0");
      Path f = Files.write(dir.resolve("fake"), "PBSIMMAP".getBytes(StandardCharsets.US_ASCII));
      try (Fd file = FileOps.open(f.toString(), FileOps.O_RDONLY)) {
        assertEquals(SimObjectKind.SIM_MAP, SimObjects.identify(file.value()), "magic only");
        assertThrows(SimFormatException.class, () -> SimMap.open(file.value(), false));
      }
    }
  }

  /** Creates a valid map, applies {@code damage} to its header, and expects a refusal. */
  private static void assertRefused(Consumer<MemorySegment> damage) throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 8, 16, "victim")) {
      try (Arena a = Arena.ofConfined()) {
        damage.accept(SharedMemory.map(fd.value(), 64, true, a));
      }
      assertThrows(SimFormatException.class, () -> SimMap.open(fd.value(), false));
      assertThrows(SimFormatException.class, () -> SimMap.info(fd.value()));
    }
  }

  @Test
  void badHeadersAreRefused() throws Exception {
    assertRefused(h -> h.set(ValueLayout.JAVA_BYTE, 2, (byte) 'X'));
    assertRefused(h -> h.set(SimFormat.U32, 8, 2));
    assertRefused(h -> h.set(SimFormat.U32, 12, 9));
    assertRefused(h -> h.set(SimFormat.U32, 12, SimMapType.ARRAY.kernelNumber()));
    assertRefused(h -> h.set(SimFormat.U32, 16, 16));
    assertRefused(h -> h.set(SimFormat.U32, 20, 0));
    assertRefused(h -> h.set(SimFormat.U32, 24, 17));
    assertRefused(h -> h.set(SimFormat.U32, 24, -1));
    assertRefused(h -> h.asSlice(32, 16).fill((byte) 'a'));
  }

  @Test
  void unsealedOrShortFilesAreRefused(@TempDir Path dir) throws Exception {
    try (Fd good = SimMap.create(SimMapType.ARRAY, 4, 8, 2, "src");
        Fd unsealed = FileOps.memfd("copy", 64 + 16, FileOps.MFD_ALLOW_SEALING);
        Fd short1 = FileOps.memfd("short", 10, FileOps.MFD_ALLOW_SEALING);
        Arena a = Arena.ofConfined()) {
      MemorySegment src = SharedMemory.map(good.value(), 80, false, a);
      SharedMemory.map(unsealed.value(), 80, true, a).copyFrom(src);
      SimFormatException e =
          assertThrows(SimFormatException.class, () -> SimMap.open(unsealed.value(), false));
      assertTrue(e.getMessage().contains("seals"), e.getMessage());

      SharedMemory.map(short1.value(), 10, true, a).copyFrom(src.asSlice(0, 10));
      SharedMemory.addSeals(short1.value(), SimMap.MAP_SEALS);
      assertThrows(SimFormatException.class, () -> SimMap.open(short1.value(), false));

      Path f = dir.resolve("copy");
      Files.write(f, src.toArray(ValueLayout.JAVA_BYTE));
      try (Fd file = FileOps.open(f.toString(), FileOps.O_RDONLY)) {
        e = assertThrows(SimFormatException.class, () -> SimMap.open(file.value(), false));
        assertTrue(e.getMessage().contains("memfd"), e.getMessage());
      }
    }
  }
}
