package io.pinbroker.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sim-progs are sealed, immutable, and tagged like the kernel tags programs. */
@ExtendWith(FdLeakCheck.class)
class SimProgTest {
  private static final int EPERM = 1;

  /** r0 = 0; exit: the smallest valid socket filter. */
  private static final long[] RETURN_ZERO = {0x00000000000000b7L, 0x0000000000000095L};

  @Test
  void createThenReadBack() throws Exception {
    try (Fd fd = SimProg.create(1, RETURN_ZERO, "ret0")) {
      SimProgInfo info = SimProg.read(fd.value());
      assertEquals(1, info.type());
      assertEquals(2, info.insnCount());
      assertEquals("ret0", info.name());
      assertArrayEquals(RETURN_ZERO, SimProg.instructions(fd.value()));
      assertEquals(64 + 16, SharedMemory.size(fd.value()));

      ByteBuffer code = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      code.putLong(RETURN_ZERO[0]).putLong(RETURN_ZERO[1]);
      assertEquals((byte) 0xb7, code.get(0), "the opcode is the low byte");
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(code.array());
      assertEquals(HexFormat.of().formatHex(sha1, 0, 8), info.tag());
      assertEquals("a04f5eef06a7f555", info.tag(), "the example in SIMOBJECTS.md");
    }
  }

  @Test
  void isSealedAgainstEveryChange() throws Exception {
    try (Fd fd = SimProg.create(2, RETURN_ZERO, "")) {
      int seals = SharedMemory.seals(fd.value());
      int all =
          SharedMemory.F_SEAL_SEAL
              | SharedMemory.F_SEAL_SHRINK
              | SharedMemory.F_SEAL_GROW
              | SharedMemory.F_SEAL_WRITE;
      assertEquals(all, seals & all);
      assertThrows(
          IOException.class,
          () -> {
            try (FileChannel ch =
                FileChannel.open(
                    Path.of("/proc/self/fd/" + fd.value()), StandardOpenOption.WRITE)) {
              ch.write(ByteBuffer.wrap(new byte[] {'X'}), 0);
            }
          });
      try (Arena a = Arena.ofConfined()) {
        ErrnoException e =
            assertThrows(ErrnoException.class, () -> SharedMemory.map(fd.value(), 80, true, a));
        assertEquals(EPERM, e.errno());
      }
      assertThrows(ErrnoException.class, () -> SharedMemory.addSeals(fd.value(), 0));
      assertEquals("", SimProg.read(fd.value()).name());
    }
  }

  @Test
  void unsealedOrTamperedCopiesAreRefused() throws Exception {
    try (Fd good = SimProg.create(1, RETURN_ZERO, "orig");
        Fd copy = FileOps.memfd("copy", 80, FileOps.MFD_ALLOW_SEALING);
        Fd tampered = FileOps.memfd("tampered", 80, FileOps.MFD_ALLOW_SEALING);
        Fd map = SimMap.create(SimMapType.ARRAY, 4, 4, 1, "m")) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment src = SharedMemory.map(good.value(), 80, false, a);
        SharedMemory.map(copy.value(), 80, true, a).copyFrom(src);
        MemorySegment t = SharedMemory.map(tampered.value(), 80, true, a);
        t.copyFrom(src);
        t.set(SimFormat.U64, 72, 0x95L | 1L << 8);
      }
      assertThrows(SimFormatException.class, () -> SimProg.read(copy.value()), "not sealed");
      SharedMemory.addSeals(tampered.value(), SimProg.ALL_SEALS);
      assertThrows(SimFormatException.class, () -> SimProg.read(tampered.value()), "tag mismatch");
      assertThrows(SimFormatException.class, () -> SimProg.read(map.value()), "a map");
      assertThrows(SimFormatException.class, () -> SimMap.open(good.value(), false), "a prog");
    }
  }

  @Test
  void createRefusesBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> SimProg.create(0, RETURN_ZERO, "x"));
    assertThrows(IllegalArgumentException.class, () -> SimProg.create(1, new long[0], "x"));
    assertThrows(IllegalArgumentException.class, () -> SimProg.create(1, null, "x"));
    assertThrows(IllegalArgumentException.class, () -> SimProg.create(1, RETURN_ZERO, "bad name"));
  }
}
