package io.pinbroker.unix;

import static io.pinbroker.unix.Bpf.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real bpf(2) calls. Skipped when this process may not use bpf(2) (or mount bpffs), unless
 * PINBROKER_REQUIRE_BPF=1, which turns the skip into a failure.
 */
class BpfTest {
  private static final int EPERM = 1;
  private static final int EINVAL = 22;
  private static final int BPF_F_NO_PREALLOC = 1;

  private TreeMap<Integer, String> fdsBefore;

  private static boolean bpfAvailable;
  private static boolean byIdAvailable;

  @BeforeAll
  static void probeBpf() {
    bpfAvailable = Bpf.available();
    byIdAvailable = bpfAvailable && byIdWorks();
  }

  /** The *_GET_FD_BY_ID commands need CAP_SYS_ADMIN; CAP_BPF alone is not enough. */
  private static boolean byIdWorks() {
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 4, 1, 0, "probe");
        Fd again = Bpf.mapById(Bpf.mapInfo(map.value()).id(), 0)) {
      return again.isOpen();
    } catch (IOException e) {
      return false;
    }
  }

  private static void requireById() {
    if (!byIdAvailable) {
      skipOrFail("BPF_*_GET_FD_BY_ID fails here (needs CAP_SYS_ADMIN)");
    }
  }

  /** The JDK opens /dev/random and /dev/urandom for good on the first temporary file name. */
  @BeforeAll
  static void openJdkLazyFds() throws IOException {
    Files.delete(Files.createTempDirectory("pinbroker-warmup"));
  }

  @BeforeEach
  void requireBpfAndSnapshotFds() throws IOException {
    if (!bpfAvailable) {
      skipOrFail("bpf(2) BPF_MAP_CREATE fails here (needs CAP_BPF or CAP_SYS_ADMIN)");
    }
    fdsBefore = openFds();
  }

  @AfterEach
  void noFdLeaks() throws IOException {
    if (fdsBefore == null) {
      return; // skipped before the snapshot
    }
    TreeMap<Integer, String> after = openFds();
    // a child process's pipes (mount, umount) are closed by the JDK's reaper thread, a moment
    // after the child exits: give it that moment
    for (int i = 0; i < 100 && after.size() != fdsBefore.size(); i++) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      after = openFds();
    }
    TreeMap<Integer, String> settled = after;
    assertEquals(
        fdsBefore.size(),
        settled.size(),
        () -> "open fds changed: before " + fdsBefore + ", after " + settled);
  }

  @Test
  void arrayMapUpdateLookupIterate() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 4, 0, "arr")) {
      int fd = map.value();
      byte[] value = u64(0x1122334455667788L);
      Bpf.update(fd, u32(2), value, Bpf.ANY);
      byte[] out = new byte[8];
      assertTrue(Bpf.lookup(fd, u32(2), out));
      assertArrayEquals(value, out);
      assertTrue(Bpf.lookup(fd, u32(0), out), "array slots always exist");
      assertArrayEquals(new byte[8], out);
      assertFalse(Bpf.lookup(fd, u32(4), out), "beyond max_entries");
      ErrnoException e = assertThrows(ErrnoException.class, () -> Bpf.delete(fd, u32(1)));
      assertEquals(EINVAL, e.errno(), "arrays cannot delete");

      int expected = 0;
      for (byte[] k = Bpf.nextKey(fd, null, 4); k != null; k = Bpf.nextKey(fd, k, 4)) {
        assertEquals(expected++, le32(k));
      }
      assertEquals(4, expected);
    }
  }

  @Test
  void hashMapUpdateFlagsDeleteIterate() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.HASH, 4, 8, 16, 0, "h")) {
      int fd = map.value();
      assertNull(Bpf.nextKey(fd, null, 4), "empty map has no first key");
      for (int k = 1; k <= 5; k++) {
        Bpf.update(fd, u32(k), u64(k * 100L), Bpf.NOEXIST);
      }
      ErrnoException exists =
          assertThrows(
              ErrnoException.class, () -> Bpf.update(fd, u32(1), u64(0), Bpf.NOEXIST));
      assertEquals(17, exists.errno(), "EEXIST");
      ErrnoException missing =
          assertThrows(ErrnoException.class, () -> Bpf.update(fd, u32(9), u64(0), Bpf.EXIST));
      assertEquals(2, missing.errno(), "ENOENT");
      Bpf.update(fd, u32(3), u64(333), Bpf.EXIST);

      byte[] out = new byte[8];
      assertTrue(Bpf.lookup(fd, u32(3), out));
      assertArrayEquals(u64(333), out);
      assertFalse(Bpf.lookup(fd, u32(9), out));

      Set<Integer> keys = new HashSet<>();
      for (byte[] k = Bpf.nextKey(fd, null, 4); k != null; k = Bpf.nextKey(fd, k, 4)) {
        assertTrue(keys.add(le32(k)), "each key once");
      }
      assertEquals(Set.of(1, 2, 3, 4, 5), keys);

      assertTrue(Bpf.delete(fd, u32(4)));
      assertFalse(Bpf.delete(fd, u32(4)));
      assertFalse(Bpf.lookup(fd, u32(4), out));
    }
  }

  @Test
  void wrongSizedKeysAndValuesAreRefusedBeforeTheKernelSeesThem() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.HASH, 4, 8, 4, 0, "sizes");
        Fd prog = Bpf.loadSocketFilter("notamap")) {
      int fd = map.value();
      assertThrows(IllegalArgumentException.class, () -> Bpf.lookup(fd, new byte[3], new byte[8]));
      assertThrows(IllegalArgumentException.class, () -> Bpf.lookup(fd, u32(1), new byte[4]));
      assertThrows(IllegalArgumentException.class, () -> Bpf.update(fd, u32(1), u32(1), 0));
      assertThrows(IllegalArgumentException.class, () -> Bpf.nextKey(fd, null, 8));
      ErrnoException e =
          assertThrows(
              ErrnoException.class, () -> Bpf.lookup(prog.value(), u32(1), new byte[8]));
      assertEquals(EINVAL, e.errno());
      assertThrows(ErrnoException.class, () -> Bpf.mapInfo(prog.value()));
    }
  }

  @Test
  void perCpuValuesSpanAllPossibleCpus() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.PERCPU_ARRAY, 4, 4, 2, 0, "pcpu")) {
      BpfMapInfo info = Bpf.mapInfo(map.value());
      int size = Bpf.valueBufferSize(info);
      assertTrue(size >= 8 && size % 8 == 0, "rounded to 8 per CPU: " + size);
      byte[] value = new byte[size];
      for (int i = 0; i < size; i += 8) {
        System.arraycopy(u32(i / 8 + 1), 0, value, i, 4);
      }
      Bpf.update(map.value(), u32(1), value, Bpf.ANY);
      byte[] out = new byte[size];
      assertTrue(Bpf.lookup(map.value(), u32(1), out));
      assertArrayEquals(value, out);
    }
  }

  @Test
  void mapInfoMatchesCreation() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.HASH, 4, 12, 32, BPF_F_NO_PREALLOC, "my-map:has.more_than15")) {
      BpfMapInfo info = Bpf.mapInfo(map.value());
      assertEquals(Bpf.HASH, info.type());
      assertEquals("hash", info.typeName());
      assertTrue(info.id() > 0, "id " + info.id());
      assertEquals(4, info.keySize());
      assertEquals(12, info.valueSize());
      assertEquals(32, info.maxEntries());
      assertEquals(BPF_F_NO_PREALLOC, info.flags());
      assertEquals("my_map_has.more", info.name(), "sanitized and cut to 15 bytes");
    }
  }

  @Test
  void objectTypeOfMapProgLinkAndOtherFds() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 4, 1, 0, "t");
        Fd prog = Bpf.loadRawTracepointProgram("t");
        Fd link = Bpf.rawTracepointLink(prog.value(), "sched_switch");
        Fd memfd = FileOps.memfd("x", 1, 0)) {
      assertEquals(BpfObjectType.MAP, Bpf.objectType(map.value()));
      assertEquals(BpfObjectType.PROG, Bpf.objectType(prog.value()));
      assertEquals(BpfObjectType.LINK, Bpf.objectType(link.value()));
      assertNull(Bpf.objectType(memfd.value()));
    }
  }

  @Test
  void mapByIdReadOnlyCanLookupButNotUpdate() throws IOException {
    requireById();
    try (Fd map = Bpf.createMap(Bpf.HASH, 4, 4, 4, 0, "ro")) {
      Bpf.update(map.value(), u32(7), u32(70), Bpf.ANY);
      int id = Bpf.mapInfo(map.value()).id();
      try (Fd ro = Bpf.mapById(id, Bpf.F_RDONLY)) {
        assertEquals(BpfObjectType.MAP, Bpf.objectType(ro.value()));
        assertEquals(id, Bpf.mapInfo(ro.value()).id());
        byte[] out = new byte[4];
        assertTrue(Bpf.lookup(ro.value(), u32(7), out));
        assertEquals(70, le32(out));
        ErrnoException e =
            assertThrows(
                ErrnoException.class, () -> Bpf.update(ro.value(), u32(7), u32(1), Bpf.ANY));
        assertEquals(EPERM, e.errno());
      }
    }
  }

  @Test
  void socketFilterInfo() throws IOException {
    try (Fd prog = Bpf.loadSocketFilter("sf_info")) {
      BpfProgInfo info = Bpf.progInfo(prog.value());
      assertEquals(Bpf.PROG_TYPE_SOCKET_FILTER, info.type());
      assertEquals("socket_filter", info.typeName());
      assertTrue(info.id() > 0, "id " + info.id());
      assertTrue(info.tag().matches("[0-9a-f]{16}"), "tag " + info.tag());
      assertFalse(info.tag().equals("0000000000000000"), "tag is a hash of the code");
      assertEquals("sf_info", info.name());
    }
  }

  @Test
  void verifierRejectionCarriesTheLog() {
    long[] exitOnly = {Bpf.INSN_EXIT};
    BpfLoadException e =
        assertThrows(
            BpfLoadException.class,
            () -> Bpf.loadProgram(Bpf.PROG_TYPE_SOCKET_FILTER, exitOnly, "GPL", "bad"));
    assertTrue(e.errno() > 0);
    assertTrue(e.verifierLog().contains("R0"), e.verifierLog());
    assertTrue(e.getMessage().contains(e.verifierLog().strip()), e.getMessage());
    assertTrue(e.getCause() instanceof ErrnoException);
  }

  @Test
  void progArraySlotsReportProgramIds() throws IOException {
    try (Fd array = Bpf.createMap(Bpf.PROG_ARRAY, 4, 4, 4, 0, "jmp");
        Fd prog = Bpf.loadSocketFilter("member")) {
      int progId = Bpf.progInfo(prog.value()).id();
      Bpf.update(array.value(), u32(1), u32(prog.value()), Bpf.ANY);
      assertEquals(progId, Bpf.progArrayMember(array.value(), 1));
      assertEquals(0, Bpf.progArrayMember(array.value(), 0));
      assertTrue(Bpf.delete(array.value(), u32(1)));
      assertEquals(0, Bpf.progArrayMember(array.value(), 1));
    }
  }

  @Test
  void rawTracepointLinkInfo() throws IOException {
    try (Fd prog = Bpf.loadRawTracepointProgram("rtp");
        Fd link = Bpf.rawTracepointLink(prog.value(), "sched_switch")) {
      int progId = Bpf.progInfo(prog.value()).id();
      assertEquals(Bpf.PROG_TYPE_RAW_TRACEPOINT, Bpf.progInfo(prog.value()).type());
      BpfLinkInfo info = Bpf.linkInfo(link.value());
      assertEquals(progId, info.progId());
      assertEquals(Bpf.LINK_TYPE_RAW_TRACEPOINT, info.type());
      assertEquals("raw_tracepoint", info.typeName());
      assertTrue(info.id() > 0, "id " + info.id());
    }
  }

  @Test
  void progAndLinkByIdReopenTheSameObjects() throws IOException {
    requireById();
    try (Fd prog = Bpf.loadRawTracepointProgram("byid");
        Fd link = Bpf.rawTracepointLink(prog.value(), "sched_switch")) {
      BpfProgInfo progInfo = Bpf.progInfo(prog.value());
      BpfLinkInfo linkInfo = Bpf.linkInfo(link.value());
      try (Fd progAgain = Bpf.progById(progInfo.id());
          Fd linkAgain = Bpf.linkById(linkInfo.id())) {
        assertEquals(progInfo, Bpf.progInfo(progAgain.value()));
        // The kernel names a reopened link "bpf-link", the original "bpf_link".
        assertEquals(BpfObjectType.LINK, Bpf.objectType(linkAgain.value()));
        assertEquals(linkInfo, Bpf.linkInfo(linkAgain.value()));
      }
    }
  }

  @Test
  void pinAndGetThroughAFreshBpffs() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("pinbroker-bpffs");
    try {
      String mountError = run("mount", "-t", "bpf", "bpf", dir.toString());
      if (mountError != null) {
        skipOrFail("cannot mount bpffs (needs root): " + mountError);
      }
      try {
        pinAndGet(dir);
      } finally {
        String umountError = run("umount", dir.toString());
        assertNull(umountError, "umount");
      }
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  private static void pinAndGet(Path bpffs) throws IOException {
    String mapPin = bpffs.resolve("map").toString();
    String progPin = bpffs.resolve("prog").toString();
    String linkPin = bpffs.resolve("link").toString();
    int mapId;
    int linkId;
    try (Fd map = Bpf.createMap(Bpf.HASH, 4, 4, 8, 0, "pinned");
        Fd prog = Bpf.loadSocketFilter("pinned");
        Fd tp = Bpf.loadRawTracepointProgram("pinned");
        Fd link = Bpf.rawTracepointLink(tp.value(), "sched_switch")) {
      Bpf.update(map.value(), u32(1), u32(42), Bpf.ANY);
      mapId = Bpf.mapInfo(map.value()).id();
      linkId = Bpf.linkInfo(link.value()).id();
      Bpf.pin(map.value(), mapPin);
      Bpf.pin(prog.value(), progPin);
      Bpf.pin(link.value(), linkPin);
    }
    assertTrue(Files.exists(Path.of(mapPin)));
    // Only the pins keep the objects alive now.
    try (Fd map = Bpf.get(mapPin, 0);
        Fd ro = Bpf.get(mapPin, Bpf.F_RDONLY);
        Fd prog = Bpf.get(progPin, 0);
        Fd link = Bpf.get(linkPin, 0)) {
      assertEquals(mapId, Bpf.mapInfo(map.value()).id());
      byte[] out = new byte[4];
      assertTrue(Bpf.lookup(map.value(), u32(1), out));
      assertEquals(42, le32(out));
      ErrnoException e =
          assertThrows(
              ErrnoException.class, () -> Bpf.update(ro.value(), u32(1), u32(0), Bpf.ANY));
      assertEquals(EPERM, e.errno());
      assertEquals(BpfObjectType.PROG, Bpf.objectType(prog.value()));
      assertEquals("pinned", Bpf.progInfo(prog.value()).name());
      assertEquals(BpfObjectType.LINK, Bpf.objectType(link.value()));
      assertEquals(linkId, Bpf.linkInfo(link.value()).id());
    }
    ErrnoException exists =
        assertThrows(ErrnoException.class, () -> Bpf.get(bpffs.resolve("none").toString(), 0));
    assertEquals(2, exists.errno(), "ENOENT");
    Files.delete(Path.of(mapPin));
    Files.delete(Path.of(progPin));
    Files.delete(Path.of(linkPin));
  }

  // ---- helpers ----

  static void skipOrFail(String reason) {
    if ("1".equals(System.getenv("PINBROKER_REQUIRE_BPF"))) {
      fail(reason + " (PINBROKER_REQUIRE_BPF=1)");
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
  }

  /** Runs a command; null on success, else its exit status and output. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return e.getMessage();
    }
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    int status = p.waitFor();
    return status == 0 ? null : String.join(" ", command) + " exited " + status + ": " + output;
  }

  private static TreeMap<Integer, String> openFds() throws IOException {
    TreeMap<Integer, String> fds = new TreeMap<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
      for (Path p : entries.toList()) {
        String target;
        try {
          target = Files.readSymbolicLink(p).toString();
        } catch (IOException gone) {
          target = "?"; // the directory stream's own fd, closed by now
        }
        fds.put(Integer.parseInt(p.getFileName().toString()), target);
      }
    }
    return fds;
  }

  private static byte[] u64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private static int le32(byte[] b) {
    assertNotNull(b);
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }
}
