package io.pinbroker.sim;

import static io.pinbroker.sim.SimFormat.U32;
import static io.pinbroker.sim.SimFormat.U64;

import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A simulated BPF program: a memfd holding a header and the instructions, sealed immutable
 * (F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE) like a loaded program. Stateless and
 * thread-safe; descriptors passed in are borrowed.
 */
public final class SimProg {
  /** The kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
  public static final int MAX_INSNS = 1_000_000;

  static final int ALL_SEALS =
      SharedMemory.F_SEAL_SEAL
          | SharedMemory.F_SEAL_SHRINK
          | SharedMemory.F_SEAL_GROW
          | SharedMemory.F_SEAL_WRITE;
  static final long VERSION = 8;
  static final long TYPE = 12;
  static final long INSN_CNT = 16;
  static final long NAME = 24;
  static final long TAG = 40;
  static final long INSNS = SimFormat.HEADER_BYTES;
  static final int TAG_BYTES = 8;

  private SimProg() {}

  /**
   * Creates a sealed sim-prog. The caller owns the returned descriptor.
   *
   * @param progType the kernel's BPF_PROG_TYPE_* number, positive
   * @param insns the instructions, each the 8 bytes of a {@code struct bpf_insn} read as a
   *     little-endian u64 (the opcode is the low byte); 1 to {@link #MAX_INSNS} of them
   * @param name at most 15 characters of {@code [A-Za-z0-9_.]}, may be empty
   */
  public static Fd create(int progType, long[] insns, String name) throws IOException {
    if (progType <= 0) {
      throw new IllegalArgumentException("prog type must be positive, got " + progType);
    }
    if (insns == null || insns.length == 0 || insns.length > MAX_INSNS) {
      throw new IllegalArgumentException(
          "a program needs 1 to "
              + MAX_INSNS
              + " instructions, got "
              + (insns == null ? "null" : insns.length));
    }
    byte[] encodedName = SimFormat.encodeName(name);
    byte[] code = new byte[insns.length * 8];
    MemorySegment.copy(
        insns, 0, MemorySegment.ofArray(code), U64.withByteAlignment(1), 0, insns.length);
    long size = INSNS + code.length;
    Fd fd = FileOps.memfd("pinbroker-sim-prog:" + name, size, FileOps.MFD_ALLOW_SEALING);
    try {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment seg = SharedMemory.map(fd.value(), size, true, a);
        MemorySegment.copy(SimFormat.PROG_MAGIC, 0, seg, ValueLayout.JAVA_BYTE, 0, 8);
        seg.set(U32, VERSION, SimFormat.VERSION);
        seg.set(U32, TYPE, progType);
        seg.set(U32, INSN_CNT, insns.length);
        MemorySegment.copy(encodedName, 0, seg, ValueLayout.JAVA_BYTE, NAME, encodedName.length);
        MemorySegment.copy(tag(code), 0, seg, ValueLayout.JAVA_BYTE, TAG, TAG_BYTES);
        MemorySegment.copy(code, 0, seg, ValueLayout.JAVA_BYTE, INSNS, code.length);
      }
      SharedMemory.addSeals(fd.value(), ALL_SEALS);
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      fd.close();
      throw e;
    }
  }

  /**
   * Checks the sim-prog behind {@code fd} (magic, version, all four seals, size, tag) and returns
   * its header.
   *
   * @throws SimFormatException when it is not a valid, sealed sim-prog
   */
  public static SimProgInfo read(int fd) throws IOException {
    return withProgram(fd, false).info();
  }

  /** The instructions of the sim-prog behind {@code fd}, checked as {@link #read} checks. */
  public static long[] instructions(int fd) throws IOException {
    return withProgram(fd, true).insns();
  }

  private record Parsed(SimProgInfo info, long[] insns) {}

  private static Parsed withProgram(int fd, boolean wantInsns) throws IOException {
    byte[] magic = SimFormat.readPrefix(fd, 8);
    if (SimFormat.kindOf(magic) != SimObjectKind.SIM_PROG) {
      throw new SimFormatException("bad magic: not a sim-prog (PBSIMPRG)");
    }
    SimFormat.requireSeals(fd, ALL_SEALS, "sim-prog");
    long size = SharedMemory.size(fd);
    if (size < INSNS || size > INSNS + 8L * MAX_INSNS) {
      throw new SimFormatException("sim-prog file of " + size + " bytes has a bad size");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment seg = SharedMemory.map(fd, size, false, a);
      int version = seg.get(U32, VERSION);
      if (version != SimFormat.VERSION) {
        throw new SimFormatException(
            "unsupported sim-prog version " + Integer.toUnsignedString(version));
      }
      int type = seg.get(U32, TYPE);
      int count = seg.get(U32, INSN_CNT);
      if (type <= 0) {
        throw new SimFormatException("bad sim-prog type " + Integer.toUnsignedString(type));
      }
      if (count <= 0 || INSNS + 8L * count != size) {
        throw new SimFormatException(
            "sim-prog claims "
                + Integer.toUnsignedString(count)
                + " instructions in "
                + size
                + " bytes");
      }
      byte[] code = seg.asSlice(INSNS, 8L * count).toArray(ValueLayout.JAVA_BYTE);
      byte[] stored = seg.asSlice(TAG, TAG_BYTES).toArray(ValueLayout.JAVA_BYTE);
      if (!Arrays.equals(stored, tag(code))) {
        throw new SimFormatException("sim-prog tag does not match its instructions");
      }
      String name = SimFormat.decodeName(seg, NAME);
      long[] insns = wantInsns ? seg.asSlice(INSNS, 8L * count).toArray(U64) : null;
      return new Parsed(
          new SimProgInfo(type, count, name, HexFormat.of().formatHex(stored)), insns);
    }
  }

  /** The first 8 bytes of SHA-1 over the instruction bytes, like the kernel's prog tag. */
  static byte[] tag(byte[] code) {
    try {
      return Arrays.copyOf(MessageDigest.getInstance("SHA-1").digest(code), TAG_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
