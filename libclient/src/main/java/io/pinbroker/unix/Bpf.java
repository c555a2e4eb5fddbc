package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The bpf(2) system call: maps, programs, links, bpffs pins and object ids. Descriptors passed in
 * as {@code int} are borrowed and stay open; every returned {@link Fd} is new and the caller owns
 * it. Keys and values are raw bytes; integers inside them are little-endian on the supported
 * architectures (x86_64, aarch64). A failed call is an {@link ErrnoException} (a refused program
 * load a {@link BpfLoadException}); arrays of the wrong length are IllegalArgumentExceptions.
 */
public final class Bpf {
  /** Map types (enum bpf_map_type). */
  public static final int HASH = 1;
  public static final int ARRAY = 2;
  public static final int PROG_ARRAY = 3;
  public static final int PERF_EVENT_ARRAY = 4;
  public static final int PERCPU_HASH = 5;
  public static final int PERCPU_ARRAY = 6;
  public static final int LRU_HASH = 9;
  public static final int RINGBUF = 27;

  /** Program types (enum bpf_prog_type). */
  public static final int PROG_TYPE_SOCKET_FILTER = 1;
  public static final int PROG_TYPE_RAW_TRACEPOINT = 17;

  /** Link types (enum bpf_link_type). */
  public static final int LINK_TYPE_RAW_TRACEPOINT = 1;

  /** Update flags: create or replace, create only, replace only. */
  public static final long ANY = 0;
  public static final long NOEXIST = 1;
  public static final long EXIST = 2;

  /** Open flags for ids and pins, and map_flags at creation: read-only or write-only access. */
  public static final int F_RDONLY = 1 << 3;
  public static final int F_WRONLY = 1 << 4;

  /** {@code r0 = 0} (BPF_ALU64 | BPF_MOV | BPF_K, dst r0, imm 0). */
  public static final long INSN_MOV64_R0_0 = 0x00000000000000b7L;
  /** {@code exit} (BPF_JMP | BPF_EXIT). */
  public static final long INSN_EXIT = 0x0000000000000095L;

  private static final int EINVAL = 22;

  private Bpf() {}

  /** The kernel's name of a map type, e.g. "hash"; the number itself if unknown. */
  public static String mapTypeName(int type) {
    return BpfTypeNames.map(type);
  }

  /** The number of a map type name such as "prog_array", or -1 if unknown. */
  public static int mapTypeNumber(String name) {
    return BpfTypeNames.mapNumber(name);
  }

  /** The number of a program type name such as "socket_filter", or -1 if unknown. */
  public static int progTypeNumber(String name) {
    return BpfTypeNames.progNumber(name);
  }

  /** The kernel's name of a program type, e.g. "socket_filter"; the number itself if unknown. */
  public static String progTypeName(int type) {
    return BpfTypeNames.prog(type);
  }

  /** The kernel's name of a link type, e.g. "raw_tracepoint"; the number itself if unknown. */
  public static String linkTypeName(int type) {
    return BpfTypeNames.link(type);
  }

  /** True if this process may create a BPF map, i.e. bpf(2) works here. */
  public static boolean available() {
    try {
      Fd probe = createMap(ARRAY, 4, 4, 1, 0, "probe");
      probe.close();
      return true;
    } catch (IOException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * BPF_MAP_CREATE. The name is cut to 15 characters and anything but [A-Za-z0-9_.] becomes '_';
   * null means no name. The caller owns the returned fd.
   */
  public static Fd createMap(
      int type, int keySize, int valueSize, int maxEntries, int mapFlags, String name)
      throws IOException {
    return BpfMaps.create(type, keySize, valueSize, maxEntries, mapFlags, name);
  }

  /**
   * Copies the value under {@code key} into {@code value}; false if there is none. The arrays must
   * have the map's key size and {@link #valueBufferSize(BpfMapInfo) value size} exactly.
   */
  public static boolean lookup(int mapFd, byte[] key, byte[] value) throws IOException {
    return BpfMaps.lookup(mapFd, key, value);
  }

  /** Sets {@code key} to {@code value} under {@code flags}: {@link #ANY}, {@link #NOEXIST}, ... */
  public static void update(int mapFd, byte[] key, byte[] value, long flags) throws IOException {
    BpfMaps.update(mapFd, key, value, flags);
  }

  /** Deletes {@code key}; false if it was not there. Arrays cannot delete (EINVAL). */
  public static boolean delete(int mapFd, byte[] key) throws IOException {
    return BpfMaps.delete(mapFd, key);
  }

  /**
   * The key after {@code keyOrNull} in the map's own order, the first key if it is null, and null
   * after the last. {@code keySize} must be the map's key size.
   */
  public static byte[] nextKey(int mapFd, byte[] keyOrNull, int keySize) throws IOException {
    return BpfMaps.nextKey(mapFd, keyOrNull, keySize);
  }

  /**
   * The length of a value array for {@link #lookup} and {@link #update}: the value size, or for
   * per-CPU maps the value size rounded up to 8 times the number of possible CPUs.
   */
  public static int valueBufferSize(BpfMapInfo info) {
    return BpfMaps.valueBufferSize(info);
  }

  /**
   * The id of the program in slot {@code slot} of a BPF_MAP_TYPE_PROG_ARRAY, or 0 if the slot is
   * empty.
   */
  public static int progArrayMember(int progArrayFd, int slot) throws IOException {
    byte[] id = new byte[4];
    if (!lookup(progArrayFd, u32(slot), id)) {
      return 0;
    }
    return ByteBuffer.wrap(id).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /** A u32 key or value in the kernel's byte order. */
  public static byte[] u32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  /**
   * BPF_PROG_LOAD of {@code insns}, each one little-endian u64. On failure the load is repeated
   * with a verifier log, which the thrown {@link BpfLoadException} carries. The caller owns the
   * returned fd.
   */
  public static Fd loadProgram(int progType, long[] insns, String license, String name)
      throws IOException {
    return BpfProgs.load(progType, insns, license, name);
  }

  /** Loads the socket filter {@code r0 = 0; exit}. The caller owns the returned fd. */
  public static Fd loadSocketFilter(String name) throws IOException {
    return loadProgram(
        PROG_TYPE_SOCKET_FILTER, new long[] {INSN_MOV64_R0_0, INSN_EXIT}, "GPL", name);
  }

  /** Loads the raw tracepoint program {@code r0 = 0; exit}. The caller owns the returned fd. */
  public static Fd loadRawTracepointProgram(String name) throws IOException {
    return loadProgram(
        PROG_TYPE_RAW_TRACEPOINT, new long[] {INSN_MOV64_R0_0, INSN_EXIT}, "GPL", name);
  }

  /**
   * BPF_RAW_TRACEPOINT_OPEN: attaches a raw tracepoint program to {@code tracepoint} (e.g.
   * "sched_switch"). On kernels since 5.7 the result is a bpf_link; the attachment lasts as long
   * as the link. The caller owns the returned fd.
   */
  public static Fd rawTracepointLink(int progFd, String tracepoint) throws IOException {
    return BpfProgs.rawTracepointLink(progFd, tracepoint);
  }

  /**
   * mount(2) of a new bpffs instance on {@code dir}, private to the owner (mode 0700). Needs
   * CAP_SYS_ADMIN. The mount lives in this process's mount namespace.
   */
  public static void mountFs(String dir) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = Libc.state();
      int r =
          (int)
              Libc.MOUNT.invokeExact(
                  st, a.allocateFrom("bpf"), a.allocateFrom(dir), a.allocateFrom("bpf"), 0L,
                  a.allocateFrom("mode=0700"));
      FileOps.check(r, st, "mount bpf on " + dir);
    } catch (Throwable t) {
      throw UnixSocket.asIo(t);
    }
  }

  /** BPF_OBJ_PIN: makes {@code fd}'s object live on as {@code bpffsPath} in a mounted bpffs. */
  public static void pin(int fd, String bpffsPath) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment attr = BpfSys.attr(a);
      attr.set(ADDRESS, 0, a.allocateFrom(bpffsPath));
      attr.set(JAVA_INT, 8, fd);
      BpfSys.call(BpfSys.OBJ_PIN, attr, "BPF_OBJ_PIN " + bpffsPath);
    }
  }

  /**
   * BPF_OBJ_GET: opens the object pinned at {@code bpffsPath} with {@code fileFlags} (0, {@link
   * #F_RDONLY} or {@link #F_WRONLY}). The caller owns the returned fd.
   */
  public static Fd get(String bpffsPath, int fileFlags) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment attr = BpfSys.attr(a);
      attr.set(ADDRESS, 0, a.allocateFrom(bpffsPath));
      attr.set(JAVA_INT, 12, fileFlags);
      return BpfSys.callFd(BpfSys.OBJ_GET, attr, "BPF_OBJ_GET " + bpffsPath);
    }
  }

  /** Opens the map with id {@code id}, with {@code openFlags}. The caller owns the returned fd. */
  public static Fd mapById(int id, int openFlags) throws IOException {
    return byId(BpfSys.MAP_GET_FD_BY_ID, id, openFlags, "BPF_MAP_GET_FD_BY_ID");
  }

  /** Opens the program with id {@code id}. The caller owns the returned fd. */
  public static Fd progById(int id) throws IOException {
    return byId(BpfSys.PROG_GET_FD_BY_ID, id, 0, "BPF_PROG_GET_FD_BY_ID");
  }

  /** Opens the link with id {@code id}. The caller owns the returned fd. */
  public static Fd linkById(int id) throws IOException {
    return byId(BpfSys.LINK_GET_FD_BY_ID, id, 0, "BPF_LINK_GET_FD_BY_ID");
  }

  /** attr: u32 id@0, u32 next_id@4, u32 open_flags@8. */
  private static Fd byId(int cmd, int id, int openFlags, String what) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment attr = BpfSys.attr(a);
      attr.set(JAVA_INT, 0, id);
      attr.set(JAVA_INT, 8, openFlags);
      return BpfSys.callFd(cmd, attr, what + " " + id);
    }
  }

  /** What the kernel says about the map behind {@code fd}. */
  public static BpfMapInfo mapInfo(int fd) throws IOException {
    requireType(fd, BpfObjectType.MAP);
    return BpfInfo.map(fd);
  }

  /** What the kernel says about the program behind {@code fd}. */
  public static BpfProgInfo progInfo(int fd) throws IOException {
    requireType(fd, BpfObjectType.PROG);
    return BpfInfo.prog(fd);
  }

  /** What the kernel says about the link behind {@code fd}. */
  public static BpfLinkInfo linkInfo(int fd) throws IOException {
    requireType(fd, BpfObjectType.LINK);
    return BpfInfo.link(fd);
  }

  /**
   * The kind of BPF object {@code fd} refers to, from its {@code /proc/self/fd} link, or null if it
   * is not a map, program or link. A link reads "anon_inode:bpf_link" on the fd that created it but
   * "anon_inode:bpf-link" when opened again by id or from a pin; both count.
   */
  public static BpfObjectType objectType(int fd) throws IOException {
    String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    return switch (target) {
      case "anon_inode:bpf-map" -> BpfObjectType.MAP;
      case "anon_inode:bpf-prog" -> BpfObjectType.PROG;
      case "anon_inode:bpf_link", "anon_inode:bpf-link" -> BpfObjectType.LINK;
      default -> null;
    };
  }

  /** Fails with EINVAL unless {@code fd} is a BPF object of kind {@code type}. */
  static void requireType(int fd, BpfObjectType type) throws IOException {
    if (objectType(fd) != type) {
      String kind = type.name().toLowerCase(Locale.ROOT);
      throw new ErrnoException("fd " + fd + " is not a bpf " + kind, EINVAL);
    }
  }
}
