package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Program loading. A load is first tried without a verifier log; only when it fails is it retried
 * with a log buffer, so that the exception can say why the verifier refused.
 */
final class BpfProgs {
  /** One instruction: a little-endian u64 (opcode u8, dst:src u8, off s16, imm s32). */
  private static final ValueLayout.OfLong INSN = JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static final int LOG_SIZE = 64 * 1024;
  private static final int LOG_LEVEL_1 = 1;
  /** libbpf's bound on retrying a load the verifier answered with EAGAIN. */
  private static final int EAGAIN_ATTEMPTS = 5;

  private BpfProgs() {}

  /**
   * attr: prog_type@0 insn_cnt@4 insns@8 license@16 log_level@24 log_size@28 log_buf@32
   * prog_name[16]@48.
   */
  static Fd load(int type, long[] insns, String license, String name) throws BpfLoadException {
    if (insns.length == 0) {
      throw new IllegalArgumentException("a program needs at least one instruction");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment code = a.allocate(INSN, insns.length);
      for (int i = 0; i < insns.length; i++) {
        code.setAtIndex(INSN, i, insns[i]);
      }
      MemorySegment attr = BpfSys.attr(a);
      attr.set(JAVA_INT, 0, type);
      attr.set(JAVA_INT, 4, insns.length);
      attr.set(ADDRESS, 8, code);
      attr.set(ADDRESS, 16, a.allocateFrom(license));
      BpfSys.putName(attr, 48, name);
      long r = loadRetrying(attr);
      if (r >= 0) {
        return Fd.adopt((int) r);
      }
      int errno = (int) -r;
      // One more byte than the kernel may use, so the log is always NUL-terminated.
      MemorySegment log = a.allocate(LOG_SIZE + 1);
      attr.set(JAVA_INT, 24, LOG_LEVEL_1);
      attr.set(JAVA_INT, 28, LOG_SIZE);
      attr.set(ADDRESS, 32, log);
      long again = loadRetrying(attr);
      if (again >= 0) {
        return Fd.adopt((int) again);
      }
      String what = Bpf.progTypeName(type) + (name == null ? "" : " " + name);
      throw new BpfLoadException(what, errno, log.getString(0));
    }
  }

  private static long loadRetrying(MemorySegment attr) {
    long r = BpfSys.invoke(BpfSys.PROG_LOAD, attr);
    for (int i = 1; i < EAGAIN_ATTEMPTS && r == -Libc.EAGAIN; i++) {
      r = BpfSys.invoke(BpfSys.PROG_LOAD, attr);
    }
    return r;
  }

  /** BPF_RAW_TRACEPOINT_OPEN; attr: u64 name@0, u32 prog_fd@8. */
  static Fd rawTracepointLink(int progFd, String tracepoint) throws ErrnoException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment attr = BpfSys.attr(a);
      attr.set(ADDRESS, 0, a.allocateFrom(tracepoint));
      attr.set(JAVA_INT, 8, progFd);
      return BpfSys.callFd(
          BpfSys.RAW_TRACEPOINT_OPEN, attr, "BPF_RAW_TRACEPOINT_OPEN " + tracepoint);
    }
  }
}
