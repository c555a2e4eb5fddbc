package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * BPF_OBJ_GET_INFO_BY_FD for maps, programs and links. Offsets are those of
 * include/uapi/linux/bpf.h, checked with offsetof: {@code bpf_map_info} type@0 id@4 key_size@8
 * value_size@12 max_entries@16 map_flags@20 name[16]@24; {@code bpf_prog_info} type@0 id@4
 * tag[8]@8 name[16]@64; {@code bpf_link_info} type@0 id@4 prog_id@8.
 */
final class BpfInfo {
  /** Large enough for bpf_map_info; the kernel requires only that the tail it ignores is zero. */
  private static final int MAP_INFO_SIZE = 256;
  /** sizeof(struct bpf_prog_info); its pointer/length pairs stay zero, so no more is copied. */
  private static final int PROG_INFO_SIZE = 232;
  /** Large enough for bpf_link_info; per-type name pointers stay zero. */
  private static final int LINK_INFO_SIZE = 256;

  private static final int PROG_TAG_OFFSET = 8;
  private static final int PROG_TAG_SIZE = 8;
  private static final int PROG_NAME_OFFSET = 64;
  private static final int MAP_NAME_OFFSET = 24;

  private BpfInfo() {}

  static BpfMapInfo map(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = query(a, fd, MAP_INFO_SIZE, "map");
      return new BpfMapInfo(
          info.get(JAVA_INT, 0),
          info.get(JAVA_INT, 4),
          info.get(JAVA_INT, 8),
          info.get(JAVA_INT, 12),
          info.get(JAVA_INT, 16),
          info.get(JAVA_INT, 20),
          BpfSys.getName(info, MAP_NAME_OFFSET, BpfSys.OBJ_NAME_LEN));
    }
  }

  static BpfProgInfo prog(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = query(a, fd, PROG_INFO_SIZE, "prog");
      byte[] tag = info.asSlice(PROG_TAG_OFFSET, PROG_TAG_SIZE).toArray(JAVA_BYTE);
      return new BpfProgInfo(
          info.get(JAVA_INT, 0),
          info.get(JAVA_INT, 4),
          HexFormat.of().formatHex(tag),
          BpfSys.getName(info, PROG_NAME_OFFSET, BpfSys.OBJ_NAME_LEN));
    }
  }

  static BpfLinkInfo link(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment info = query(a, fd, LINK_INFO_SIZE, "link");
      return new BpfLinkInfo(info.get(JAVA_INT, 0), info.get(JAVA_INT, 4), info.get(JAVA_INT, 8));
    }
  }

  /**
   * attr: u32 bpf_fd @0, u32 info_len @4, u64 info @8. The kernel fills the struct of whatever
   * kind of object {@code fd} is, so callers must know that kind beforehand.
   */
  private static MemorySegment query(Arena a, int fd, int size, String kind)
      throws ErrnoException {
    MemorySegment info = a.allocate(size, 8);
    MemorySegment attr = BpfSys.attr(a);
    attr.set(JAVA_INT, 0, fd);
    attr.set(JAVA_INT, 4, size);
    attr.set(ADDRESS, 8, info);
    BpfSys.call(BpfSys.OBJ_GET_INFO_BY_FD, attr, "BPF_OBJ_GET_INFO_BY_FD (" + kind + ")");
    return info;
  }
}
